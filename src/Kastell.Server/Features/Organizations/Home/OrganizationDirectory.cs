using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Home;

public sealed record OrganizationSummary(string Slug, string Name, OrganizationRole Role);

public sealed record SpaceSummary(string Slug, string Name);

/// <summary>The one place allowed to read memberships across tenants: "which organizations may this user enter?".</summary>
public sealed class OrganizationDirectory(KastellDbContext db)
{
    public async Task<IReadOnlyList<OrganizationSummary>> ForUserAsync(Guid userId, CancellationToken cancellationToken = default) =>
        await db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Organizations, m => m.OrganizationId, o => o.Id, (m, o) => new { o.Slug, o.Name, m.Role })
            .OrderBy(o => o.Name)
            .Select(o => new OrganizationSummary(o.Slug, o.Name, o.Role))
            .ToListAsync(cancellationToken);

    /// <summary>Spaces of the current tenant the user may enter (all of them for organization owners and admins).</summary>
    public async Task<IReadOnlyList<SpaceSummary>> SpacesAsync(Guid userId, bool administers, CancellationToken cancellationToken = default)
    {
        var spaces = db.Spaces.AsNoTracking();
        if (!administers)
        {
            spaces = spaces.Where(s => db.SpaceMembers.Any(m => m.SpaceId == s.Id && m.UserId == userId));
        }

        return await spaces.OrderBy(s => s.Name).Select(s => new SpaceSummary(s.Slug, s.Name)).ToListAsync(cancellationToken);
    }
}
