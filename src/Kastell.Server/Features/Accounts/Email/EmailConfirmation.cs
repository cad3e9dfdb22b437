using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Accounts.Email;

internal enum ConfirmEmailOutcome
{
    Confirmed,
    InvalidOrExpired,
}

/// <summary>
/// Confirms an address with Identity's token and re-sends the link on request. Policy: an unconfirmed account may
/// sign in and enrol MFA but sees a banner until it confirms; re-sending answers alike for every address.
/// </summary>
internal sealed class EmailConfirmation(UserManager<KastellUser> users, AccountMails mails, KastellDbContext db, IAuditLog audit, AuditSigningKey auditKey)
{
    public async Task<ConfirmEmailOutcome> ConfirmAsync(string? userId, string? encodedCode)
    {
        var code = AccountMails.DecodeToken(encodedCode);
        if (code is null || !Guid.TryParse(userId, out _) || await users.FindByIdAsync(userId!) is not { } user)
        {
            return ConfirmEmailOutcome.InvalidOrExpired;
        }

        var wasConfirmed = user.EmailConfirmed;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await users.ConfirmEmailAsync(user, code);
        if (!result.Succeeded)
        {
            return ConfirmEmailOutcome.InvalidOrExpired;
        }

        // Opening the link again changes nothing and records nothing.
        if (!wasConfirmed)
        {
            audit.Record(new(AccountEvents.EmailConfirmed, AuditActor.User(user.Id), AuditTarget.User(user.Id)));
            await audit.FlushAsync();
        }

        await transaction.CommitAsync();
        return ConfirmEmailOutcome.Confirmed;
    }

    /// <summary>Sends a new link if the address belongs to an unconfirmed account; otherwise silently nothing.</summary>
    public async Task ResendAsync(string email)
    {
        var user = await users.FindByEmailAsync(email.Trim());

        // Recorded for every address alike (a known one by id, anything else as a pseudonym), and saved in one write
        // with the queued mail where there is one, so the request costs the same either way.
        audit.Record(new(AccountEvents.EmailConfirmationResent, AuditActor.Anonymous,
            user is { EmailConfirmed: false } ? AuditTarget.User(user.Id) : AuditTarget.TypedAccount(auditKey, email),
            Details: user is { EmailConfirmed: false } ? null : new Dictionary<string, string> { ["sent"] = "no" }));
        if (user is { EmailConfirmed: false })
        {
            await mails.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
        }
        else
        {
            await audit.FlushAsync();
        }
    }
}
