using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Deletion;

internal enum DeleteAccountOutcome
{
    Deleted,
    ReauthenticationFailed,
    LastOwner,
}

internal sealed record DeleteAccountResult(DeleteAccountOutcome Outcome, IReadOnlyList<string> OrganizationsWithoutOwner)
{
    public static readonly DeleteAccountResult ReauthenticationFailed = new(DeleteAccountOutcome.ReauthenticationFailed, []);
}

/// <summary>
/// Deletes the signed-in user after re-checking password and a current TOTP code (a stolen session alone must not be
/// enough). Refused while the user is the only owner of an organization, which would otherwise be left unmanageable.
/// </summary>
internal sealed class DeleteAccountCommand(
    KastellDbContext db,
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    CurrentActor actor,
    TenantScopes scopes,
    Reauthentication reauthentication,
    IAuditLog audit)
{
    public async Task<DeleteAccountResult> ExecuteAsync(Guid userId, string password, string totpCode, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || !await reauthentication.VerifyAsync(user, password, totpCode))
        {
            await RecordRefusalAsync(userId, "reauthentication", cancellationToken);
            return DeleteAccountResult.ReauthenticationFailed;
        }

        // Row-level security shows a user their own membership rows, in every organization.
        actor.ActAs(AuditActor.User(userId));
        var orphaned = await OrganizationsOnlyOwnedByAsync(userId, cancellationToken);
        if (orphaned.Count > 0)
        {
            await RecordRefusalAsync(userId, "last-owner", cancellationToken);
            return new(DeleteAccountOutcome.LastOwner, orphaned);
        }

        // Access goes first, organization by organization (each its own tuple store): should the deletion below fail,
        // the account is left without access rather than the other way round.
        await RevokeRelationsAsync(userId, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.UserSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.PasswordHistory.Where(h => h.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Cross-tenant on purpose: the person leaves every organization. Row-level security shows a user their own rows.
        await db.SpaceMembers.IgnoreQueryFilters().Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var memberships = await db.OrganizationMembers.IgnoreQueryFilters().Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Saved by DeleteAsync below, inside this transaction. On the system chain: the account is not one tenant's.
        audit.Record(new(AccountEvents.AccountDeleted, AuditActor.User(userId), AuditTarget.User(userId),
            Details: new Dictionary<string, string> { ["memberships"] = memberships.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            throw new InvalidOperationException("Deleting the user failed: " + string.Join(", ", deleted.Errors.Select(e => e.Code)));
        }

        await transaction.CommitAsync(cancellationToken);
        await signIn.SignOutAsync();
        return new(DeleteAccountOutcome.Deleted, []);
    }

    private async Task RevokeRelationsAsync(Guid userId, CancellationToken cancellationToken)
    {
        var organizations = await db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId).Select(m => m.OrganizationId).ToListAsync(cancellationToken);
        foreach (var organization in organizations)
        {
            await using var scope = scopes.Enter(organization, AuditActor.User(userId));
            await scope.Get<RelationshipWriter>().RevokeAllAsync(user: Permissions.User(userId), cancellationToken: cancellationToken);
            await scope.Db.SaveChangesAsync(cancellationToken);
        }
    }

    private Task RecordRefusalAsync(Guid userId, string reason, CancellationToken cancellationToken) =>
        audit.RecordNowAsync(new(AccountEvents.AccountDeleted, AuditActor.User(userId), AuditTarget.User(userId), AuditOutcome.Failed,
            new Dictionary<string, string> { ["reason"] = reason }), cancellationToken);

    private async Task<List<string>> OrganizationsOnlyOwnedByAsync(Guid userId, CancellationToken cancellationToken)
    {
        var owned = await db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId && m.Role == OrganizationRole.Owner)
            .Join(db.Organizations, m => m.OrganizationId, o => o.Id, (m, o) => new { o.Id, o.Name })
            .ToListAsync(cancellationToken);
        var orphaned = new List<string>();
        foreach (var organization in owned)
        {
            // Other owners are only visible inside that organization's tenant (query filter and row-level security).
            await using var scope = scopes.Enter(organization.Id, AuditActor.User(userId));
            var owners = await scope.Db.OrganizationMembers.CountAsync(m => m.Role == OrganizationRole.Owner, cancellationToken);
            if (owners <= 1)
            {
                orphaned.Add(organization.Name);
            }
        }

        return orphaned;
    }
}
