using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Domains.Discovery;

/// <summary>The organization that holds an address's domain verified, and the domain.</summary>
public sealed record DomainOwner(Guid OrganizationId, string Domain);

/// <summary>
/// For home-realm discovery (before anyone is signed in): which organization holds the domain of an e-mail address
/// verified, or none. Only the exact domain counts (<c>anna@mail.example.com</c> needs <c>mail.example.com</c>
/// verified, not <c>example.com</c>): a parent's proof says nothing about who runs a subdomain's mail. Reads the
/// cross-tenant registry, which holds a name only while it is verified.
/// </summary>
public sealed class DomainOwnerLookup(KastellDbContext db)
{
    public async Task<DomainOwner?> FindAsync(string? email, CancellationToken cancellationToken = default)
    {
        if (DomainNames.OfEmail(email) is not { } domain)
        {
            return null;
        }

        var holder = await db.VerifiedDomainNames.AsNoTracking().Where(v => v.Name == domain)
            .Select(v => (Guid?)v.OrganizationId).SingleOrDefaultAsync(cancellationToken);
        return holder is { } organization ? new DomainOwner(organization, domain) : null;
    }
}
