using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// Takes a person out of the request's organization: membership, Space roles and team memberships go in one unit of
/// work, and their open sessions lose access with their next request (every request asks the engine again). Removing
/// an owner takes an owner; the last owner cannot be removed — checked under the organization's membership lock.
/// </summary>
internal sealed class RemoveMemberCommand(KastellDbContext db, Tenant tenant, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var organizationId = tenant.RequireOrganizationId();
        if (!await permissions.RequireAsync("organization", organizationId, "can_manage_members", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var before = await db.OrganizationMembers.AsNoTracking().SingleOrDefaultAsync(m => m.UserId == userId, cancellationToken);
        if (before is null)
        {
            return Failures.NotFound;
        }

        if (before.Role == OrganizationRole.Owner
            && !await permissions.RequireAsync("organization", organizationId, "can_manage_owners", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        Result outcome;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await memberships.LockOrganizationAsync(cancellationToken);
            var member = await db.OrganizationMembers.SingleOrDefaultAsync(m => m.UserId == userId, cancellationToken);
            outcome = member is null ? Failures.NotFound
                : member.Role == OrganizationRole.Owner && before.Role != OrganizationRole.Owner ? Failures.NotAllowed // promoted meanwhile: decided on stale facts
                : member.Role == OrganizationRole.Owner && await db.OrganizationMembers.CountAsync(m => m.Role == OrganizationRole.Owner, cancellationToken) == 1 ? OrganizationErrors.LastOwner
                : await RemoveAsync(member, cancellationToken);
            if (outcome.Succeeded)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }

        if (outcome.Failure == OrganizationErrors.LastOwner)
        {
            await audit.RecordNowAsync(new(OrganizationEvents.MemberRevoked, actor.Actor, AuditTarget.User(userId), AuditOutcome.Failed,
                new Dictionary<string, string> { ["reason"] = "last-owner" }), cancellationToken);
        }

        return outcome;
    }

    private async Task<Result> RemoveAsync(OrganizationMember member, CancellationToken cancellationToken)
    {
        await memberships.RemoveFromOrganizationAsync(member, cancellationToken);
        audit.Record(new(OrganizationEvents.MemberRevoked, actor.Actor, AuditTarget.User(member.UserId),
            Details: new Dictionary<string, string> { ["role"] = member.Role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
