using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess.Tokens;

/// <summary>
/// Revokes a token of the request's organization: a person their own, owners and admins any (a leaked token is an
/// incident, whoever made it). Takes effect on the next request in every process: tokens are looked up on each
/// request, never cached. Another organization's token, or one the caller may not revoke, is not found.
/// </summary>
public sealed class RevokeApiTokenCommand(KastellDbContext db, Tenant tenant, Permissions permissions, IAuditLog audit, TimeProvider time)
{
    /// <param name="callerUserId">The person revoking (null for the command line, which may revoke any token).</param>
    public async Task<Result> ExecuteAsync(Guid tokenId, Guid? callerUserId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.OrganizationId == organization, cancellationToken);
        if (token is null || token.RevokedAt is not null)
        {
            return Failures.NotFound;
        }

        var own = callerUserId is { } caller && token.UserId == caller;
        if (actor.Kind != AuditActorKind.System && !own
            && !await permissions.RequireAsync("organization", organization, "can_manage_service_accounts", auditAllow: true, cancellationToken))
        {
            return Failures.NotFound;
        }

        token.RevokedAt = time.GetUtcNow();
        audit.Record(new(ApiAccessEvents.ApiTokenRevoked, actor, new AuditTarget("api_token", token.Id.ToString()),
            Details: new Dictionary<string, string> { ["name"] = token.Name, ["hint"] = token.Hint }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
