using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts;

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
/// </summary>
internal sealed class ChangePasswordCommand(
    KastellDbContext db,
    UserManager<KastellUser> users,
    Reauthentication reauthentication,
    PasswordHistoryRecorder history,
    IAuditLog audit)
{
    public async Task<(ChangePasswordOutcome Outcome, IReadOnlyList<IdentityError> Errors)> ExecuteAsync(
        KastellUser user, string currentPassword, string code, string newPassword)
    {
        if (!await reauthentication.VerifyAsync(user, currentPassword, code))
        {
            await audit.RecordNowAsync(new(AuditEventType.PasswordChanged, AuditActor.User(user.Id), AuditTarget.User(user.Id), AuditOutcome.Failed,
                new Dictionary<string, string> { ["reason"] = "reauthentication" }));
            return (ChangePasswordOutcome.ReauthenticationFailed, []);
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            return (ChangePasswordOutcome.Rejected, [.. result.Errors]);
        }

        history.Record(user);
        audit.Record(new(AuditEventType.PasswordChanged, AuditActor.User(user.Id), AuditTarget.User(user.Id)));
        await db.SaveChangesAsync();
        await db.UserSessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync();
        await transaction.CommitAsync();
        return (ChangePasswordOutcome.Changed, []);
    }
}
