using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Passwords;

internal enum ChangePasswordOutcome
{
    Changed,
    ReauthenticationFailed,
    Rejected,
}

/// <summary>
/// Changes a password after re-authentication, under the organization policy and reuse history, and ends every
/// session of the user — this browser's too — in the same transaction: whoever knew the old password is signed out
/// everywhere. The page then gives this browser a new session through <see cref="SessionHandoff"/>.
/// The new password is checked against the policy first, so a refused password spends no recovery code and costs no
/// lockout attempt; the current password is hashed once, by the re-authentication.
/// </summary>
internal sealed class ChangePasswordCommand(
    KastellDbContext db,
    KastellUserManager users,
    Reauthentication reauthentication,
    PasswordHistoryRecorder history,
    PolicyPasswordValidator passwordPolicy,
    IAuditLog audit)
{
    public async Task<(ChangePasswordOutcome Outcome, IReadOnlyList<IdentityError> Errors)> ExecuteAsync(
        KastellUser user, string currentPassword, string code, string newPassword)
    {
        // Rules that reveal nothing about the user's secrets first: a too-short or banned password spends no
        // recovery code and no lockout attempt. The reuse history is checked only after re-authentication, because
        // "you used this before" would otherwise let a stolen session probe for the current password.
        var policy = await passwordPolicy.ValidateWithoutHistoryAsync(user, newPassword);
        if (!policy.Succeeded)
        {
            return (ChangePasswordOutcome.Rejected, [.. policy.Errors]);
        }

        // One transaction from re-authentication to the new hash, so that a password the history refuses hands
        // back the recovery code the re-authentication spent; a failed re-authentication is committed, so that it
        // counts toward the lockout and stays in the audit log.
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (!await reauthentication.VerifyAsync(user, currentPassword, code))
        {
            await audit.RecordNowAsync(new(AccountEvents.PasswordChanged, AuditActor.User(user.Id), AuditTarget.User(user.Id), AuditOutcome.Failed,
                new Dictionary<string, string> { ["reason"] = "reauthentication" }));
            await transaction.CommitAsync();
            return (ChangePasswordOutcome.ReauthenticationFailed, []);
        }

        var result = await users.ReplaceVerifiedPasswordAsync(user, newPassword);
        if (!result.Succeeded)
        {
            await transaction.RollbackAsync();
            db.ChangeTracker.Clear();
            return (ChangePasswordOutcome.Rejected, [.. result.Errors]);
        }

        history.Record(user);
        audit.Record(new(AccountEvents.PasswordChanged, AuditActor.User(user.Id), AuditTarget.User(user.Id)));
        await db.SaveChangesAsync();
        await db.UserSessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync();
        await transaction.CommitAsync();
        return (ChangePasswordOutcome.Changed, []);
    }
}
