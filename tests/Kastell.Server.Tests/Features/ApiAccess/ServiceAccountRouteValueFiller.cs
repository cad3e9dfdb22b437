using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.ApiAccess;

/// <summary>For the attack matrix: a service account of the victim's organization, its name shown only to those who manage them.</summary>
internal sealed class ServiceAccountRouteValueFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["service_account", "service-accounts/id", "serviceAccountId"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var name = "victim-robot-" + victim.Suffix;
        await using var scope = victim.Host.Services.GetRequiredService<TenantScopes>().Enter(victim.OrganizationId, AuditActor.System("attack-matrix"));
        var created = await scope.Get<ServiceAccountCommands>().CreateAsync(name, OrganizationRole.Member, AuditActor.System("attack-matrix"), TestContext.Current.CancellationToken);
        var id = created.Value?.Id ?? throw new InvalidOperationException(created.Failure?.Code);
        victim.AddMarker(name, "organization", victim.OrganizationId, "can_manage_service_accounts");
        return id.ToString();
    }
}
