using Kastell.Server.Features.Accounts.Email;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Passwords;

internal enum PasswordResetOutcome
{
    Reset,
    InvalidOrExpired,
    Rejected,
}

internal sealed record PasswordResetResult(PasswordResetOutcome Outcome, IReadOnlyList<IdentityError> Errors);

/// <summary>
/// "Forgot password": the request answers alike for every address (the mail goes out in the background), and the
/// reset applies the organization policy and history, rotates the security stamp and ends every session.
/// </summary>
internal sealed class PasswordReset(
    KastellDbContext db,
    UserManager<KastellUser> users,
    PasswordHistoryRecorder history,
    AccountMails mails,
    CurrentActor actor,
    IOptions<EmailOptions> options,
    IAuditLog audit,
    AuditSigningKey auditKey)
{
    public async Task RequestAsync(string email)
    {
        var user = await users.FindByEmailAsync(email.Trim());

        // Recorded for every address alike (a known one by id, anything else as a pseudonym), and saved in one write
        // with the queued mail where there is one, so the request costs the same either way.
        audit.Record(new(AccountEvents.PasswordResetRequested, AuditActor.Anonymous,
            user is not null ? AuditTarget.User(user.Id) : AuditTarget.TypedAccount(auditKey, email),
            Details: user is not null ? null : new Dictionary<string, string> { ["sent"] = "no" }));
        if (user is not null)
        {
            await mails.PasswordResetAsync(user, await users.GeneratePasswordResetTokenAsync(user), options.Value.LinkLifetime);
        }
        else
        {
            await audit.FlushAsync();
        }
    }

    /// <summary>Lets the page say "this link has expired" before anyone types a new password.</summary>
    public async Task<bool> IsValidLinkAsync(string? userId, string? encodedCode) =>
        await UserForLinkAsync(userId, AccountMails.DecodeToken(encodedCode)) is not null;

    public async Task<PasswordResetResult> ResetAsync(string? userId, string? encodedCode, string newPassword, CancellationToken cancellationToken = default)
    {
        var code = AccountMails.DecodeToken(encodedCode);
        if (await UserForLinkAsync(userId, code) is not { } user)
        {
            return new(PasswordResetOutcome.InvalidOrExpired, []);
        }

        // The policy resolver reads the user's memberships; on PostgreSQL row-level security shows them to their own user.
        var id = user.Id;
        actor.ActAs(AuditActor.User(id));

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Changes the hash and the security stamp, which also invalidates this very link.
        var reset = await users.ResetPasswordAsync(user, code!, newPassword);
        if (!reset.Succeeded)
        {
            var expired = reset.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken));
            return new(expired ? PasswordResetOutcome.InvalidOrExpired : PasswordResetOutcome.Rejected, [.. reset.Errors]);
        }

        history.Record(user);
        audit.Record(new(AccountEvents.PasswordReset, AuditActor.User(id), AuditTarget.User(id), Details: new Dictionary<string, string> { ["via"] = "email-link" }));
        await db.SaveChangesAsync(cancellationToken);
        // Whoever knew the old password may hold a session: every session of the account ends here.
        await db.UserSessions.Where(s => s.UserId == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new(PasswordResetOutcome.Reset, []);
    }

    private async Task<KastellUser?> UserForLinkAsync(string? userId, string? code)
    {
        if (code is null || !Guid.TryParse(userId, out _) || await users.FindByIdAsync(userId!) is not { } user)
        {
            return null;
        }

        var valid = await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<KastellUser>.ResetPasswordTokenPurpose, code);
        return valid ? user : null;
    }
}
