using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>Revokes a pending invitation of the request's organization; another organization's id is simply not found.</summary>
internal sealed class RevokeInvitationCommand(KastellDbContext db, Tenant tenant, Permissions permissions, TimeProvider time, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(AuditActor actor, Guid invitationId, CancellationToken cancellationToken = default)
    {
        tenant.RequireOrganization();
        if (!await permissions.RequireAsync("organization", tenant.RequireOrganizationId(), "can_manage_members", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var now = time.GetUtcNow();
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId, cancellationToken);
        if (invitation is null || !invitation.IsPending(now))
        {
            return Failures.NotFound;
        }

        invitation.RevokedAt = now;
        audit.Record(new(OrganizationEvents.InvitationRevoked, actor, AuditTarget.Invitation(invitation.Id),
            Details: new Dictionary<string, string> { ["email"] = invitation.Email }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
