using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Who belongs where, written once: a membership row (the directory people browse: members with their role and since
/// when) and its relationship tuple (what the authorization engine decides with) are added and changed together, in
/// the caller's unit of work, so the two cannot drift apart through any code path (<c>authz drift</c> checks anyway;
/// ADR 0014). Teams, their members and their Space roles are tuples only, written here too. Call <c>SaveChanges</c>
/// afterwards, as for any change.
/// </summary>
public sealed class Memberships(KastellDbContext db, RelationshipWriter relations, TimeProvider time)
{
    private static readonly SpaceRole[] SpaceRoles = Enum.GetValues<SpaceRole>();

    /// <summary>The model's relation for an organization role.</summary>
    public static string RelationOf(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => "owner",
        OrganizationRole.Admin => "admin",
        OrganizationRole.Auditor => "auditor",
        _ => "member",
    };

    /// <summary>The model's relation for a Space role.</summary>
    public static string RelationOf(SpaceRole role) => role switch
    {
        SpaceRole.Manager => "manager",
        SpaceRole.Editor => "editor",
        _ => "viewer",
    };

    /// <summary>The userset that stands for a team's members in tuples: <c>team:…#member</c>.</summary>
    public static string TeamMembers(Guid teamId) => Permissions.Object("team", teamId) + "#member";

    /// <summary>
    /// Serializes the membership changes of the entered organization until the caller's transaction ends: a rule over
    /// several rows ("at least one owner stays") holds only if two changes cannot each read the rows before the other
    /// writes. Updating the organization's row takes its write lock on both providers (PostgreSQL: the row lock, which a
    /// second transaction waits for and then reads the committed rows; SQLite: the database's one writer lock).
    /// Call it first inside the transaction, before reading what the rule is about.
    /// </summary>
    public async Task LockOrganizationAsync(CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The organization is locked for the caller's transaction: begin one first.");
        }

        var organizationId = db.CurrentOrganizationId;
        await db.Organizations.Where(o => o.Id == organizationId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, o => o.Name), cancellationToken);
    }

    /// <summary>Makes <paramref name="userId"/> a member of the entered organization with <paramref name="role"/>.</summary>
    public async Task AddToOrganizationAsync(Guid organizationId, Guid userId, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        db.OrganizationMembers.Add(new OrganizationMember { OrganizationId = organizationId, UserId = userId, Role = role, JoinedAt = time.GetUtcNow() });
        await relations.GrantAsync(Permissions.Object("organization", organizationId), RelationOf(role), Permissions.User(userId), cancellationToken);
    }

    /// <summary>Gives <paramref name="member"/> another organization role: the row and its tuple change together.</summary>
    public async Task ChangeOrganizationRoleAsync(OrganizationMember member, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var organization = Permissions.Object("organization", member.OrganizationId);
        await relations.RevokeAsync(organization, RelationOf(member.Role), Permissions.User(member.UserId), cancellationToken);
        await relations.GrantAsync(organization, RelationOf(role), Permissions.User(member.UserId), cancellationToken);
        member.Role = role;
    }

    /// <summary>
    /// Takes <paramref name="member"/> out of the entered organization: the membership, every Space role and every team
    /// membership go, rows and tuples alike. Relations that record history stay (a file's uploader), and grant nothing
    /// without the membership. Their open sessions lose access with the next request, which asks the engine again.
    /// </summary>
    public async Task RemoveFromOrganizationAsync(OrganizationMember member, CancellationToken cancellationToken = default)
    {
        db.OrganizationMembers.Remove(member);
        db.SpaceMembers.RemoveRange(await db.SpaceMembers.Where(m => m.UserId == member.UserId).ToListAsync(cancellationToken));
        await relations.RevokeAllOfUserAsync(Permissions.User(member.UserId), ["organization", "space", "team"], cancellationToken);
    }

    /// <summary>Adds a new Space to the entered organization: the row and the Space's place in the organization.</summary>
    public async Task AddSpaceAsync(Space space, CancellationToken cancellationToken = default)
    {
        db.Spaces.Add(space);
        await relations.GrantAsync(Permissions.Object("space", space.Id), "organization", Permissions.Object("organization", space.OrganizationId), cancellationToken);
    }

    /// <summary>Gives <paramref name="userId"/> <paramref name="role"/> in <paramref name="space"/>.</summary>
    public Task AddToSpaceAsync(Space space, Guid userId, SpaceRole role, CancellationToken cancellationToken = default) =>
        AddToSpaceAsync(space.OrganizationId, space.Id, userId, role, cancellationToken);

    /// <summary>Gives <paramref name="userId"/> <paramref name="role"/> in the Space <paramref name="spaceId"/> of the entered organization.</summary>
    public async Task AddToSpaceAsync(Guid organizationId, Guid spaceId, Guid userId, SpaceRole role, CancellationToken cancellationToken = default)
    {
        db.SpaceMembers.Add(new SpaceMember { OrganizationId = organizationId, SpaceId = spaceId, UserId = userId, Role = role });
        await relations.GrantAsync(Permissions.Object("space", spaceId), RelationOf(role), Permissions.User(userId), cancellationToken);
    }

    /// <summary>
    /// Gives <paramref name="userId"/> exactly <paramref name="role"/> in the Space (one role per person and Space):
    /// adds the row or changes it, and swaps the tuple. Returns the role they had before, if any.
    /// </summary>
    public async Task<SpaceRole?> SetSpaceRoleAsync(Space space, Guid userId, SpaceRole role, CancellationToken cancellationToken = default)
    {
        var row = await db.SpaceMembers.SingleOrDefaultAsync(m => m.SpaceId == space.Id && m.UserId == userId, cancellationToken);
        if (row is null)
        {
            await AddToSpaceAsync(space, userId, role, cancellationToken);
            return null;
        }

        var previous = row.Role;
        await relations.RevokeAsync(Permissions.Object("space", space.Id), RelationOf(previous), Permissions.User(userId), cancellationToken);
        await relations.GrantAsync(Permissions.Object("space", space.Id), RelationOf(role), Permissions.User(userId), cancellationToken);
        row.Role = role;
        return previous;
    }

    /// <summary>Takes <paramref name="userId"/>'s role in the Space away; returns it, or null when they had none.</summary>
    public async Task<SpaceRole?> RemoveFromSpaceAsync(Space space, Guid userId, CancellationToken cancellationToken = default)
    {
        var row = await db.SpaceMembers.SingleOrDefaultAsync(m => m.SpaceId == space.Id && m.UserId == userId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        db.SpaceMembers.Remove(row);
        await relations.RevokeAsync(Permissions.Object("space", space.Id), RelationOf(row.Role), Permissions.User(userId), cancellationToken);
        return row.Role;
    }

    /// <summary>Gives the members of <paramref name="teamId"/> exactly <paramref name="role"/> in the Space (a tuple only); returns the role the team had before.</summary>
    public async Task<SpaceRole?> SetTeamSpaceRoleAsync(Space space, Guid teamId, SpaceRole role, CancellationToken cancellationToken = default)
    {
        var previous = await RemoveTeamFromSpaceAsync(space, teamId, cancellationToken);
        await relations.GrantAsync(Permissions.Object("space", space.Id), RelationOf(role), TeamMembers(teamId), cancellationToken);
        return previous;
    }

    /// <summary>Takes the team's role in the Space away; returns it, or null when it had none.</summary>
    public async Task<SpaceRole?> RemoveTeamFromSpaceAsync(Space space, Guid teamId, CancellationToken cancellationToken = default)
    {
        SpaceRole? previous = null;
        foreach (var role in SpaceRoles)
        {
            if (await relations.RevokeAsync(Permissions.Object("space", space.Id), RelationOf(role), TeamMembers(teamId), cancellationToken))
            {
                previous = previous is { } other && other > role ? other : role;
            }
        }

        return previous;
    }

    /// <summary>Adds a team to the entered organization: the row and the team's place in the organization.</summary>
    public async Task AddTeamAsync(Team team, CancellationToken cancellationToken = default)
    {
        db.Teams.Add(team);
        await relations.GrantAsync(Permissions.Object("team", team.Id), "organization", Permissions.Object("organization", team.OrganizationId), cancellationToken);
    }

    /// <summary>
    /// Removes a team with everything that names it: its members, its place in other teams, its Space and organization
    /// roles. Its former members keep whatever they hold otherwise.
    /// </summary>
    public async Task RemoveTeamAsync(Team team, CancellationToken cancellationToken = default)
    {
        db.Teams.Remove(team);
        await relations.RevokeAllAsync(@object: Permissions.Object("team", team.Id), cancellationToken: cancellationToken);
        await relations.RevokeAllAsync(user: TeamMembers(team.Id), cancellationToken: cancellationToken);
    }

    /// <summary>Makes a person a direct member of the team; false when they were already.</summary>
    public Task<bool> AddUserToTeamAsync(Guid teamId, Guid userId, CancellationToken cancellationToken = default) =>
        relations.GrantAsync(Permissions.Object("team", teamId), "member", Permissions.User(userId), cancellationToken);

    /// <summary>Nests <paramref name="memberTeamId"/> in <paramref name="teamId"/>: its members become the team's members; false when it was already.</summary>
    public Task<bool> AddTeamToTeamAsync(Guid teamId, Guid memberTeamId, CancellationToken cancellationToken = default) =>
        relations.GrantAsync(Permissions.Object("team", teamId), "member", TeamMembers(memberTeamId), cancellationToken);

    /// <summary>Removes a direct member (a person: <c>user:…</c>, or a team: <c>team:…#member</c>); false when it was none.</summary>
    public Task<bool> RemoveFromTeamAsync(Guid teamId, string member, CancellationToken cancellationToken = default) =>
        relations.RevokeAsync(Permissions.Object("team", teamId), "member", member, cancellationToken);
}
