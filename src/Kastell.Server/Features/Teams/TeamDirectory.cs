using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Teams;

public sealed record TeamSummary(Guid Id, string Name, int People, int Teams);

/// <summary>A direct member of a team: a person (<see cref="Email"/> set) or a team nested in it.</summary>
public sealed record TeamMember(Subject Subject, string Name, string? Email);

/// <summary>A member of the organization, as pickers list them.</summary>
public sealed record PersonOption(Guid UserId, string Name, string Email);

/// <summary>
/// The request's organization's teams and who was put into them directly (tenant-filtered rows; memberships are
/// tuples). What a membership grants, through nesting or otherwise, is the engine's to say.
/// </summary>
public sealed class TeamDirectory(KastellDbContext db, RelationshipReader relations)
{
    public async Task<IReadOnlyList<TeamSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var members = (await relations.OfTypeAsync("team", "member", cancellationToken))
            .GroupBy(t => t.Object)
            .ToDictionary(g => g.Key, g => (People: g.Count(t => t.User.StartsWith("user:", StringComparison.Ordinal)), Teams: g.Count(t => t.User.StartsWith("team:", StringComparison.Ordinal))));
        return [.. (await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken))
            .Select(t => members.TryGetValue(Permissions.Object("team", t.Id), out var count)
                ? new TeamSummary(t.Id, t.Name, count.People, count.Teams)
                : new TeamSummary(t.Id, t.Name, 0, 0))];
    }

    /// <summary>
    /// Up to <paramref name="take"/> of the <paramref name="readable"/> teams after <paramref name="after"/>, ordered by
    /// id (version 7: by creation), a key that never changes: the API's cursor pages.
    /// </summary>
    public async Task<IReadOnlyList<Team>> PageAsync(IReadOnlyCollection<Guid> readable, Guid? after, int take, CancellationToken cancellationToken = default) =>
        await db.Teams.AsNoTracking()
            .Where(t => readable.Contains(t.Id) && (after == null || t.Id.CompareTo(after.Value) > 0))
            .OrderBy(t => t.Id).Take(take).ToListAsync(cancellationToken);

    /// <summary>The team, if it is one of this organization's.</summary>
    public Task<Team?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);

    /// <summary>Every team's name by id.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(CancellationToken cancellationToken = default) =>
        await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);

    /// <summary>The people and teams put into <paramref name="teamId"/> directly, people first, each by name.</summary>
    public async Task<IReadOnlyList<TeamMember>> MembersAsync(Guid teamId, CancellationToken cancellationToken = default)
    {
        var subjects = (await relations.OfObjectAsync(Permissions.Object("team", teamId), ["member"], cancellationToken))
            .Select(t => Subject.TryParse(t.User, out var subject) ? subject : (Subject?)null)
            .OfType<Subject>()
            .ToList();
        var people = subjects.Where(s => s.Kind == SubjectKind.Person).Select(s => s.Id).ToList();
        var teams = subjects.Where(s => s.Kind == SubjectKind.Team).Select(s => s.Id).ToList();
        var personRows = await db.Set<KastellUser>().AsNoTracking().Where(u => people.Contains(u.Id))
            .Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(cancellationToken);
        var teamRows = await db.Teams.AsNoTracking().Where(t => teams.Contains(t.Id)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        return
        [
            .. personRows.OrderBy(p => p.DisplayName, StringComparer.CurrentCultureIgnoreCase).Select(p => new TeamMember(Subject.Person(p.Id), p.DisplayName, p.Email ?? "")),
            .. teamRows.OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase).Select(t => new TeamMember(Subject.Team(t.Id), t.Name, null)),
        ];
    }

    /// <summary>The organization's members, by name (the people a team or a Space role can be given to).</summary>
    public async Task<IReadOnlyList<PersonOption>> PeopleAsync(CancellationToken cancellationToken = default) =>
        await db.OrganizationMembers.AsNoTracking()
            .Join(db.Set<KastellUser>(), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, u.Email })
            .OrderBy(u => u.DisplayName)
            .Select(u => new PersonOption(u.Id, u.DisplayName, u.Email ?? ""))
            .ToListAsync(cancellationToken);
}
