using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// For the attack matrix: a connection of the victim's organization — a SAML one, so that every route of a connection
/// reaches it (removal, the SP metadata, the ACS URL). Written as a row (the matrix's host has no identity provider to
/// import metadata from), its SP entity id shown only to those who manage single sign-on.
/// </summary>
internal sealed class SsoRouteValueFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["sso/connection", "connection"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var entityId = "https://localhost/sso/saml/victim-" + victim.Suffix;
        await using var scope = victim.Host.Services.GetRequiredService<TenantScopes>().Enter(victim.OrganizationId, AuditActor.System("attack-matrix"));
        var connection = new SsoConnection
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = victim.OrganizationId,
            Protocol = SsoProtocol.Saml,
            Name = "Victim IdP " + victim.Suffix,
            Issuer = "https://idp.victim.example/metadata",
            ClientId = "",
            ClientSecret = "",
            SamlSpEntityId = entityId,
            SamlSingleSignOnUrl = "https://idp.victim.example/sso",
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "attack-matrix",
        };
        scope.Db.Set<SsoConnection>().Add(connection);
        await scope.Db.SaveChangesAsync(TestContext.Current.CancellationToken);
        victim.AddMarker(entityId, "organization", victim.OrganizationId, "can_manage_sso");
        return connection.Id.ToString();
    }
}

/// <summary>For the attack matrix: the victim's organization id where a route names it by id (the SAML ACS URL).</summary>
internal sealed class SsoOrganizationIdFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["saml/organization"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.OrganizationId.ToString("N"));
}
