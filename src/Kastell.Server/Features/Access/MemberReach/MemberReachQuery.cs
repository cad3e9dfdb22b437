using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Access.MemberReach;

/// <summary>A member, as the page names them.</summary>
internal sealed record ReachPerson(Guid UserId, string Name, string Email, OrganizationRole Role);

/// <summary>Something the member can reach: an object (or a permission on the organization) and every way they hold it.</summary>
internal sealed record ReachItem(Guid ObjectId, string Name, string? Href, string Permission, string TextKey, IReadOnlyList<AccessReason> Reasons, bool MoreReasons);

/// <summary>How many files of one Space the member can read and delete.</summary>
internal sealed record FileReach(Guid SpaceId, string SpaceName, int Readable, int Deletable);

internal sealed record MemberReach(
    ReachPerson Person,
    IReadOnlyList<ReachItem> Organization,
    IReadOnlyList<ReachItem> Spaces,
    IReadOnlyList<ReachItem> Teams,
    IReadOnlyList<FileReach> Files,
    bool Truncated);

/// <summary>
/// Everything one member of the request's organization can reach — the organization's permissions they hold, the Spaces
/// (at their strongest level), the teams they belong to (through nesting too) and the files — each from the engine's
/// ListObjects (or Check for the organization's permissions) and explained. The input of an access review.
/// </summary>
internal sealed class MemberReachQuery(KastellDbContext db, Tenant tenant, KastellModel model, Permissions permissions, AccessNames names)
{
    public AccessNames Names => names;

    /// <summary>Null when <paramref name="userId"/> is not a member of the organization (any other organization's member included).</summary>
    public async Task<MemberReach?> FindAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var person = await db.OrganizationMembers.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Set<KastellUser>(), m => m.UserId, u => u.Id, (m, u) => new ReachPerson(u.Id, u.DisplayName, u.Email ?? "", m.Role))
            .SingleOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return null;
        }

        var organization = tenant.RequireOrganization();
        var truncated = false;

        // Every permission the model defines on the organization, as the model names them (a new one appears here by itself).
        var organizationItems = new List<ReachItem>();
        foreach (var permission in model.Model.TypeDefinitions.Single(t => t.Name == "organization").Relations
                     .Select(r => r.Name).Where(r => r.StartsWith("can_", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var explained = await permissions.ExplainAsync("organization", organization.Id, permission, userId, cancellationToken);
            if (explained.Allowed)
            {
                organizationItems.Add(new(organization.Id, organization.Name, null, permission, "", AccessReason.From(explained.Proofs), explained.Truncated));
            }
        }

        var spaces = new Dictionary<Guid, ReachItem>();
        var spaceRows = await db.Spaces.AsNoTracking().ToDictionaryAsync(s => s.Id, cancellationToken);
        foreach (var level in AccessLevels.Space)
        {
            var reach = await permissions.ObjectsOfAsync(userId, "space", level.Permission, cancellationToken);
            truncated |= reach.Truncated;
            foreach (var id in reach.Ids.Where(i => !spaces.ContainsKey(i) && spaceRows.ContainsKey(i)))
            {
                var explained = await permissions.ExplainAsync("space", id, level.Permission, userId, cancellationToken);
                spaces[id] = new(id, spaceRows[id].Name, TenantRoutes.SpacePath(organization, spaceRows[id]), level.Permission, level.TextKey, AccessReason.From(explained.Proofs), explained.Truncated);
            }
        }

        var teams = new List<ReachItem>();
        var teamReach = await permissions.ObjectsOfAsync(userId, "team", "member", cancellationToken);
        truncated |= teamReach.Truncated;
        var teamNames = await db.Teams.AsNoTracking().Where(t => teamReach.Ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        foreach (var id in teamReach.Ids.Where(teamNames.ContainsKey))
        {
            var explained = await permissions.ExplainAsync("team", id, "member", userId, cancellationToken);
            teams.Add(new(id, teamNames[id], TenantRoutes.OrganizationPath(organization, $"/teams/{id:D}"), "member", "AccessTeamMember", AccessReason.From(explained.Proofs), explained.Truncated));
        }

        var readable = await permissions.ObjectsOfAsync(userId, "file", "can_read", cancellationToken);
        var deletable = (await permissions.ObjectsOfAsync(userId, "file", "can_delete", cancellationToken)).Ids.ToHashSet();
        truncated |= readable.Truncated;
        var fileSpaces = await db.StoredObjects.AsNoTracking().Where(f => readable.Ids.Contains(f.Id)).Select(f => new { f.Id, f.SpaceId }).ToListAsync(cancellationToken);
        var files = fileSpaces.GroupBy(f => f.SpaceId)
            .Select(g => new FileReach(g.Key, spaceRows.TryGetValue(g.Key, out var space) ? space.Name : g.Key.ToString("D"), g.Count(), g.Count(f => deletable.Contains(f.Id))))
            .OrderBy(f => f.SpaceName, StringComparer.CurrentCultureIgnoreCase)
            .ToList();

        var allReasons = organizationItems.Concat(spaces.Values).Concat(teams).SelectMany(i => i.Reasons);
        await names.LoadAsync(allReasons, cancellationToken);
        return new(
            person,
            organizationItems,
            [.. spaces.Values.OrderBy(s => s.Name, StringComparer.CurrentCultureIgnoreCase)],
            [.. teams.OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase)],
            files,
            truncated);
    }
}
