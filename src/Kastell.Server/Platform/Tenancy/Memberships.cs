using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Who belongs where, written once: a membership row (the directory people browse: members with their role and since
/// when) and its relationship tuple (what the authorization engine decides with) are added and changed together, in
/// the caller's unit of work, so the two cannot drift apart through any code path (<c>authz drift</c> checks anyway;
/// ADR 0014). Call <c>SaveChanges</c> afterwards, as for any change.
/// </summary>
public sealed class Memberships(KastellDbContext db, RelationshipWriter relations, TimeProvider time)
{
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

    /// <summary>Makes <paramref name="userId"/> a member of the entered organization with <paramref name="role"/>.</summary>
    public async Task AddToOrganizationAsync(Guid organizationId, Guid userId, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        db.OrganizationMembers.Add(new OrganizationMember { OrganizationId = organizationId, UserId = userId, Role = role, JoinedAt = time.GetUtcNow() });
        await relations.GrantAsync(Permissions.Object("organization", organizationId), RelationOf(role), Permissions.User(userId), cancellationToken);
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
}
