using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

namespace Kastell.Server.Tests.Features.Domains;

/// <summary>For the attack matrix: a domain claim of the victim's organization, its name and TXT value shown only to those who manage domains.</summary>
internal sealed class DomainRouteValueFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["domains/id"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var domain = await DomainsData.AddAsync(victim.Host, victim.OrganizationId, $"victim-{victim.Suffix}.example.test");
        victim.AddMarker(domain.Name, "organization", victim.OrganizationId, "can_manage_domains");
        victim.AddMarker(domain.Challenge, "organization", victim.OrganizationId, "can_manage_domains");
        return domain.Id.ToString();
    }
}
