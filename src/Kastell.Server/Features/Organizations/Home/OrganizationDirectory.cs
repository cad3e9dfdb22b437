using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Home;

public sealed record OrganizationSummary(string Slug, string Name, OrganizationRole Role);

public sealed record SpaceSummary(string Slug, string Name);

/// <summary>The one place allowed to read memberships across tenants: "which organizations may this user enter?".</summary>
public sealed class OrganizationDirectory(KastellDbContext db, Permissions permissions)
{
    public async Task<IReadOnlyList<OrganizationSummary>> ForUserAsync(Guid userId, CancellationToken cancellationToken = default) =>
        await db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Organizations, m => m.OrganizationId, o => o.Id, (m, o) => new { o.Slug, o.Name, m.Role })
            .OrderBy(o => o.Name)
            .Select(o => new OrganizationSummary(o.Slug, o.Name, o.Role))
            .ToListAsync(cancellationToken);

    /// <summary>The role the caller's membership row records in the current organization, for display (access is the engine's).</summary>
    public async Task<OrganizationRole?> RoleInCurrentAsync(Guid userId, CancellationToken cancellationToken = default) =>
        await db.OrganizationMembers.AsNoTracking().Where(m => m.UserId == userId).Select(m => (OrganizationRole?)m.Role).SingleOrDefaultAsync(cancellationToken);

    /// <summary>The Spaces of the current organization the caller may read, as the authorization engine lists them.</summary>
    public async Task<IReadOnlyList<SpaceSummary>> ReadableSpacesAsync(CancellationToken cancellationToken = default)
    {
        var readable = await permissions.ObjectsAsync("space", "can_read", cancellationToken);
        return await db.Spaces.AsNoTracking().Where(s => readable.Contains(s.Id))
            .OrderBy(s => s.Name).Select(s => new SpaceSummary(s.Slug, s.Name)).ToListAsync(cancellationToken);
    }
}
