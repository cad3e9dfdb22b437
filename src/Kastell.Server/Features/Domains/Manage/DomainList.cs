using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Domains.Manage;

/// <summary>The request organization's domains, by name (reads only; the caller has checked <c>can_manage_domains</c>).</summary>
public sealed class DomainList(KastellDbContext db)
{
    public async Task<IReadOnlyList<OrganizationDomain>> AllAsync(CancellationToken cancellationToken = default) =>
        await db.OrganizationDomains.AsNoTracking().OrderBy(d => d.Name).ToListAsync(cancellationToken);

    /// <summary>One domain by id (the tenant filter keeps it to the request's organization).</summary>
    public Task<OrganizationDomain?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        db.OrganizationDomains.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);

    public Task<OrganizationDomain?> FindAsync(string name, CancellationToken cancellationToken = default) =>
        DomainNames.Normalize(name).Value is { } ascii
            ? db.OrganizationDomains.AsNoTracking().SingleOrDefaultAsync(d => d.Name == ascii, cancellationToken)
            : Task.FromResult<OrganizationDomain?>(null);
}
