using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Spaces;

/// <summary>A role given in a Space: to a person (<see cref="Email"/> set) or to a team.</summary>
internal sealed record SpaceRoleRow(Subject Subject, string Name, string? Email, SpaceRole Role);

/// <summary>
/// The roles given directly in one Space of the request's organization: people (rows) and teams (tuples only), each by
/// name. Who ends up with access, through the organization or nested teams, is the access page's to show.
/// </summary>
internal sealed class SpaceMembersQuery(KastellDbContext db, RelationshipReader relations, TeamDirectory teams)
{
    public async Task<IReadOnlyList<SpaceRoleRow>> PeopleAsync(Guid spaceId, CancellationToken cancellationToken = default) =>
        await db.SpaceMembers.AsNoTracking().Where(m => m.SpaceId == spaceId)
            .Join(db.Set<KastellUser>(), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, u.Email, m.Role })
            .OrderBy(m => m.DisplayName)
            .Select(m => new SpaceRoleRow(Subject.Person(m.Id), m.DisplayName, m.Email ?? "", m.Role))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<SpaceRoleRow>> TeamsAsync(Guid spaceId, CancellationToken cancellationToken = default)
    {
        var byRelation = Enum.GetValues<SpaceRole>().ToDictionary(Memberships.RelationOf, r => r, StringComparer.Ordinal);
        var names = await teams.NamesAsync(cancellationToken);
        return [.. (await relations.OfObjectAsync(Permissions.Object("space", spaceId), byRelation.Keys, cancellationToken))
            .Where(t => t.User.StartsWith("team:", StringComparison.Ordinal))
            .Select(t => Subject.TryParse(t.User, out var team) && names.TryGetValue(team.Id, out var name) ? new SpaceRoleRow(team, name, null, byRelation[t.Relation]) : null)
            .OfType<SpaceRoleRow>()
            // One role per team; should two tuples exist, the stronger one is what the team holds.
            .GroupBy(r => r.Subject)
            .Select(g => g.MaxBy(r => r.Role)!)
            .OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase)];
    }
}
