using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// For the attack matrix: a connection of the victim's organization. Written as a row (the matrix's host has no
/// provider to pass the discovery check), its client id shown only to those who manage single sign-on.
/// </summary>
internal sealed class SsoRouteValueFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["sso/connection"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var clientId = "victim-client-" + victim.Suffix;
        await using var scope = victim.Host.Services.GetRequiredService<TenantScopes>().Enter(victim.OrganizationId, AuditActor.System("attack-matrix"));
        var connection = new SsoConnection
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = victim.OrganizationId,
            Protocol = SsoProtocol.Oidc,
            Name = "Victim IdP " + victim.Suffix,
            Issuer = "https://idp.victim.example",
            ClientId = clientId,
            ClientSecret = "victim-secret-" + victim.Suffix,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "attack-matrix",
        };
        scope.Db.Set<SsoConnection>().Add(connection);
        await scope.Db.SaveChangesAsync(TestContext.Current.CancellationToken);
        victim.AddMarker(clientId, "organization", victim.OrganizationId, "can_manage_sso");
        return connection.Id.ToString();
    }
}
