using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// Changing who may do what through a host's own services, as a command of that process would: the rows and their
/// tuples in one unit of work (<see cref="Memberships"/>, <see cref="RelationshipWriter"/>). For the tests that need a
/// revocation or a team before the pages that make them exist.
/// </summary>
internal static class Relations
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Removes the user from the organization: the membership row and its tuple. Their Space roles stay, as rows and tuples.</summary>
    public static Task RemoveFromOrganizationAsync(KastellHost host, Guid organizationId, Guid userId) =>
        InOrganizationAsync(host, organizationId, async (scope, writer) =>
        {
            var member = await scope.Db.OrganizationMembers.SingleAsync(m => m.UserId == userId, Ct);
            scope.Db.OrganizationMembers.Remove(member);
            await writer.RevokeAsync(Permissions.Object("organization", organizationId), Memberships.RelationOf(member.Role), Permissions.User(userId), Ct);
        });

    /// <summary>Takes the user's role in the Space away: the row and its tuple.</summary>
    public static Task RemoveFromSpaceAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid userId) =>
        InOrganizationAsync(host, organizationId, async (scope, writer) =>
        {
            var member = await scope.Db.SpaceMembers.SingleAsync(m => m.SpaceId == spaceId && m.UserId == userId, Ct);
            scope.Db.SpaceMembers.Remove(member);
            await writer.RevokeAsync(Permissions.Object("space", spaceId), Memberships.RelationOf(member.Role), Permissions.User(userId), Ct);
        });

    /// <summary>Makes a team of the organization (its row and its tuple, as the Teams feature does) and returns its id.</summary>
    public static Task<Guid> CreateTeamAsync(KastellHost host, Guid organizationId) =>
        Tenants.CreateTeamAsync(host, organizationId, "Team " + Guid.NewGuid().ToString("N")[..8]);

    public static Task AddToTeamAsync(KastellHost host, Guid organizationId, Guid teamId, Guid userId) =>
        GrantAsync(host, organizationId, Permissions.Object("team", teamId), "member", Permissions.User(userId));

    public static Task RemoveFromTeamAsync(KastellHost host, Guid organizationId, Guid teamId, Guid userId) =>
        RevokeAsync(host, organizationId, Permissions.Object("team", teamId), "member", Permissions.User(userId));

    /// <summary>Gives every member of the team <paramref name="role"/> in the Space.</summary>
    public static Task GrantTeamSpaceRoleAsync(KastellHost host, Guid organizationId, Guid teamId, Guid spaceId, SpaceRole role) =>
        GrantAsync(host, organizationId, Permissions.Object("space", spaceId), Memberships.RelationOf(role), Permissions.Object("team", teamId) + "#member");

    public static Task GrantAsync(KastellHost host, Guid organizationId, string @object, string relation, string user) =>
        InOrganizationAsync(host, organizationId, (_, writer) => writer.GrantAsync(@object, relation, user, Ct));

    public static Task RevokeAsync(KastellHost host, Guid organizationId, string @object, string relation, string user) =>
        InOrganizationAsync(host, organizationId, (_, writer) => writer.RevokeAsync(@object, relation, user, Ct));

    private static async Task InOrganizationAsync(KastellHost host, Guid organizationId, Func<TenantScope, RelationshipWriter, Task> change)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.System("test"));
        await change(scope, scope.Get<RelationshipWriter>());
        await scope.Db.SaveChangesAsync(Ct);
    }
}
