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
/// other session of the user in the same transaction: whoever knew the old password is signed out everywhere.
/// </summary>
internal sealed class ChangePasswordCommand(
    KastellDbContext db,
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    Reauthentication reauthentication,
    PasswordHistoryRecorder history,
    IAuditLog audit)
{
    public async Task<(ChangePasswordOutcome Outcome, IReadOnlyList<IdentityError> Errors)> ExecuteAsync(
        KastellUser user, string currentPassword, string code, string newPassword, string? currentSessionId)
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
        await db.UserSessions.Where(s => s.UserId == user.Id && s.Id != (currentSessionId ?? "")).ExecuteDeleteAsync();
        await transaction.CommitAsync();
        // The security stamp changed: re-issue this browser's session so it stays signed in (with MFA).
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new System.Security.Claims.Claim("amr", "mfa")]);
        return (ChangePasswordOutcome.Changed, []);
    }
}
