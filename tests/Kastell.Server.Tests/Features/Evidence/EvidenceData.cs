using Kastell.Server.Features.Evidence;
using Kastell.Server.Features.Evidence.Submit;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Kastell.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

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

internal static class PlacedEvidence
{
    /// <summary>
    /// A file evidence item whose file is placed as already scanned (for hosts without clamd): the same rows and tuples
    /// the submit command writes, the file an attachment of the Space.
    /// </summary>
    public static async Task<Guid> FileAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, string title)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.User(actor));
        var stored = await scope.Get<SpaceFiles>().UploadAsync(spaceId, "placed.txt", "text/plain; charset=utf-8", new MemoryStream("placed"u8.ToArray()),
            StoredObjectStatus.Available, actor, attachment: true, ct);
        var db = scope.Get<KastellDbContext>();
        var now = DateTimeOffset.UtcNow;
        var item = new EvidenceItem
        {
            Id = Guid.CreateVersion7(), OrganizationId = organizationId, SpaceId = spaceId, Kind = EvidenceKind.File, Title = title, EffectiveOn = new DateOnly(2026, 11, 30),
            SubmittedBy = actor, CreatedAt = now, UpdatedAt = now,
        };
        db.Set<EvidenceItem>().Add(item);
        db.Set<EvidenceVersion>().Add(new EvidenceVersion
        {
            Id = Guid.CreateVersion7(), OrganizationId = organizationId, SpaceId = spaceId, EvidenceId = item.Id, Number = 1, StoredObjectId = stored.Id, UploadedBy = actor, UploadedAt = now,
        });
        var relations = scope.Get<RelationshipWriter>();
        await relations.GrantAsync($"evidence:{item.Id:D}", "space", $"space:{spaceId:D}", ct);
        await relations.GrantAsync($"evidence:{item.Id:D}", "uploader", $"user:{actor:D}", ct);
        await db.SaveChangesAsync(ct);
        return item.Id;
    }
}

/// <summary>An evidence item (a file, so that its download reaches something) of the Vault; its title is seen only by those who may read it.</summary>
internal sealed class EvidenceFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["evidence", "evidence/id"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var title = $"Tresorprotokoll {victim.Suffix}";
        var id = await PlacedEvidence.FileAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, title);
        victim.AddMarker(title, "evidence", id);
        return id.ToString();
    }
}
