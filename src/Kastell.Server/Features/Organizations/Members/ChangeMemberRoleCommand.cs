using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// Gives a member of the request's organization another organization role. Whoever manages members may; making or
/// unmaking an owner takes an owner. The last owner cannot be demoted — checked under the organization's membership
/// lock, so two owners demoting each other at the same moment cannot leave the organization without one.
/// </summary>
internal sealed class ChangeMemberRoleCommand(KastellDbContext db, Tenant tenant, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid userId, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var organizationId = tenant.RequireOrganizationId();
        if (!await permissions.RequireAsync("organization", organizationId, "can_manage_members", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (!Enum.IsDefined(role))
        {
            return OrganizationErrors.MemberRoleInvalid;
        }

        var before = await db.OrganizationMembers.AsNoTracking().SingleOrDefaultAsync(m => m.UserId == userId, cancellationToken);
        if (before is null)
        {
            return Failures.NotFound;
        }

        if (!await OwnerRuleAllowsAsync(before.Role, role, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        Result outcome;
        OrganizationRole previous;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await memberships.LockOrganizationAsync(cancellationToken);
            var member = await db.OrganizationMembers.SingleOrDefaultAsync(m => m.UserId == userId, cancellationToken);
            previous = member?.Role ?? before.Role;
            outcome = member is null ? Failures.NotFound
                : member.Role == role ? Result.Done
                : member.Role == OrganizationRole.Owner && !OwnersInvolved(before.Role, role) ? Failures.NotAllowed // made an owner meanwhile: the owner rule was not checked
                : member.Role == OrganizationRole.Owner && await db.OrganizationMembers.CountAsync(m => m.Role == OrganizationRole.Owner, cancellationToken) == 1 ? OrganizationErrors.LastOwner
                : await ChangeAsync(member, role, cancellationToken);
            if (outcome.Succeeded)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }

        if (outcome.Failure == OrganizationErrors.LastOwner)
        {
            await audit.RecordNowAsync(new(OrganizationEvents.MemberRoleChanged, actor.Actor, AuditTarget.User(userId), AuditOutcome.Failed,
                new Dictionary<string, string> { ["from"] = previous.ToString(), ["to"] = role.ToString(), ["reason"] = "last-owner" }), cancellationToken);
        }

        return outcome;
    }

    private static bool OwnersInvolved(OrganizationRole current, OrganizationRole wanted) => current == OrganizationRole.Owner || wanted == OrganizationRole.Owner;

    /// <summary>Owners alone make or unmake owners (checked before the lock: a denial is recorded in its own transaction).</summary>
    private async Task<bool> OwnerRuleAllowsAsync(OrganizationRole current, OrganizationRole wanted, CancellationToken cancellationToken) =>
        !OwnersInvolved(current, wanted)
        || await permissions.RequireAsync("organization", tenant.RequireOrganizationId(), "can_manage_owners", auditAllow: true, cancellationToken: cancellationToken);

    private async Task<Result> ChangeAsync(OrganizationMember member, OrganizationRole role, CancellationToken cancellationToken)
    {
        var previous = member.Role;
        await memberships.ChangeOrganizationRoleAsync(member, role, cancellationToken);
        audit.Record(new(OrganizationEvents.MemberRoleChanged, actor.Actor, AuditTarget.User(member.UserId),
            Details: new Dictionary<string, string> { ["from"] = previous.ToString(), ["to"] = role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
