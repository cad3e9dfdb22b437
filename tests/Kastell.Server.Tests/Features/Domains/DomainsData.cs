using Kastell.Server.Features.Domains;
using Kastell.Server.Features.Domains.Manage;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Domains;

/// <summary>Domains arranged for tests that run without a DNS server of their own (audit coverage, attack matrix, row-level security).</summary>
internal static class DomainsData
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string UniqueName(string prefix = "d") => $"{prefix}{Guid.NewGuid().ToString("N")[..12]}.example.test";

    /// <summary>A pending claim of the organization, added as the operator would (<c>domain add</c>).</summary>
    public static async Task<OrganizationDomain> AddAsync(KastellHost host, Guid organization, string? name = null)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("test"));
        var result = await scope.Get<DomainCommands>().AddAsync(name ?? UniqueName(), AuditActor.System("test"), Ct);
        return result.Value ?? throw new InvalidOperationException(result.Failure?.Code);
    }

    /// <summary>
    /// A pending claim of <paramref name="organization"/> on a name that a newly signed-up organization holds verified
    /// (arranged in the database: what a passed DNS check writes), so that verifying it is refused without any DNS query.
    /// </summary>
    public static async Task<OrganizationDomain> ClaimTakenElsewhereAsync(KastellHost host, Guid organization)
    {
        var name = UniqueName("taken");
        var claim = await AddAsync(host, organization, name);
        using var browser = host.CreateBrowser();
        var holder = await Tenants.OrganizationIdAsync(host, (await Journeys.SignUpAndEnrolAsync(browser)).OrganizationSlug);
        var held = await AddAsync(host, holder, name);
        var (scope, db) = host.OpenDb(holder);
        await using (scope)
        {
            var row = await db.Set<OrganizationDomain>().SingleAsync(d => d.Id == held.Id, Ct);
            row.State = DomainState.Verified;
            row.VerifiedAt = row.LastCheckedAt = DateTimeOffset.UtcNow;
            db.Add(new VerifiedDomainName { Name = name, OrganizationId = holder, DomainId = held.Id, VerifiedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        return claim;
    }

    /// <summary>
    /// A domain the organization holds verified, arranged in the database as a passed DNS check writes it (the row
    /// verified, the name in the cross-tenant registry), for tests of what a verified domain allows.
    /// </summary>
    public static async Task<string> VerifiedAsync(KastellHost host, Guid organization, string? name = null)
    {
        var claim = await AddAsync(host, organization, name);
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            var row = await db.Set<OrganizationDomain>().SingleAsync(d => d.Id == claim.Id, Ct);
            row.State = DomainState.Verified;
            row.VerifiedAt = row.LastCheckedAt = DateTimeOffset.UtcNow;
            db.Add(new VerifiedDomainName { Name = claim.Name, OrganizationId = organization, DomainId = claim.Id, VerifiedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        return claim.Name;
    }
}
