using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

namespace Kastell.Server.Tests.Features.Controls;

/// <summary>
/// A framework of the victim's library, adopted in the Vault, for the framework pages' <c>{id}</c> and the statement
/// of applicability's <c>{framework}</c>. Its requirement's title is seen only by those who read the Vault's controls.
/// </summary>
internal sealed class FrameworkFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["framework", "frameworks/id", "soa/framework", "frameworkId"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var framework = await ControlsData.ImportAsync(victim.Host, victim.OrganizationSlug, $"Victim norm {victim.Suffix}", "1", ("v-1", $"Tresorpflicht {victim.Suffix}"));
        await ControlsData.AdoptAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, framework);
        victim.AddMarker($"Victim norm {victim.Suffix}", "organization", victim.OrganizationId);
        return framework.ToString();
    }
}

/// <summary>A control of the Vault; its title is seen only by those who may read it.</summary>
internal sealed class ControlFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["control", "controls/id", "controlId"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var title = $"Tresorschluessel {victim.Suffix}";
        var control = await ControlsData.CreateControlAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, title);
        victim.AddMarker(title, "control", control);
        return control.ToString();
    }
}
