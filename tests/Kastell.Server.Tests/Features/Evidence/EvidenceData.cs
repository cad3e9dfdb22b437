using Kastell.Server.Features.Evidence;
using Kastell.Server.Features.Evidence.Submit;
using Kastell.Server.Platform.Http;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Evidence;

/// <summary>Evidence made for tests through the feature's own command, run as a person of the organization in a Space.</summary>
internal static class EvidenceData
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A note (effective today) linked to the given assets and controls.</summary>
    public static async Task<Guid> NoteAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, string title, Guid[]? assets = null, Guid[]? controls = null)
    {
        var input = new EvidenceInput("Note", title, null, $"Notiz zu {title}", "2026-11-30", null, null, null,
            [.. (controls ?? []).Select(c => c.ToString())], [.. (assets ?? []).Select(a => a.ToString())]);
        var result = await ControlsData.AsAsync<SubmitEvidenceCommand, Result<EvidenceItem>>(host, organizationId, spaceId, actor, c => c.ExecuteAsync(input, cancellationToken: Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
        return result.Value!.Id;
    }
}

/// <summary>An evidence item of the Vault; its title is seen only by those who may read it.</summary>
internal sealed class EvidenceFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["evidence", "evidence/id"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var title = $"Tresorprotokoll {victim.Suffix}";
        var id = await EvidenceData.NoteAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, title);
        victim.AddMarker(title, "evidence", id);
        return id.ToString();
    }
}
