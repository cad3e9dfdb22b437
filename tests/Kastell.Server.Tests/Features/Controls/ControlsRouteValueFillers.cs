using Kastell.Server.Features.Controls;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Http;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

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

/// <summary>
/// A requirement of the victim's library that a control of the Vault answers, for the API's
/// <c>controls/{id}/requirements/{requirement}</c>: removing the answer is refused to every attacker.
/// </summary>
internal sealed class RequirementFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["requirements/requirement", "requirement"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var framework = await ControlsData.ImportAsync(victim.Host, victim.OrganizationSlug, $"Victim answers {victim.Suffix}", "1", ("r-1", $"Antwortpflicht {victim.Suffix}"));
        await ControlsData.AdoptAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, framework);
        var control = await ControlsData.CreateControlAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, $"Antwort {victim.Suffix}");
        var linked = await ControlsData.AsAsync<LinkRequirementCommand, Result>(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId,
            c => c.LinkAsync(control, framework, "r-1", TestContext.Current.CancellationToken));
        Assert.True(linked.Succeeded, linked.Failure?.Code);
        var (scope, db) = victim.Host.OpenDb(victim.OrganizationId);
        await using (scope)
        {
            return (await db.Set<ControlRequirement>().Where(l => l.ControlId == control).Select(l => l.RequirementId).SingleAsync(TestContext.Current.CancellationToken)).ToString();
        }
    }
}
