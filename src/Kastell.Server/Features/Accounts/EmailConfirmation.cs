using Kastell.Server.Features.Accounts.Email;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Accounts;

internal enum ConfirmEmailOutcome
{
    Confirmed,
    InvalidOrExpired,
}

/// <summary>
/// Confirms an address with Identity's token and re-sends the link on request. Policy: an unconfirmed account may
/// sign in and enrol MFA but sees a banner until it confirms; re-sending answers alike for every address.
/// </summary>
internal sealed class EmailConfirmation(UserManager<KastellUser> users, AccountMails mails)
{
    public async Task<ConfirmEmailOutcome> ConfirmAsync(string? userId, string? encodedCode)
    {
        var code = AccountMails.DecodeToken(encodedCode);
        if (code is null || !Guid.TryParse(userId, out _) || await users.FindByIdAsync(userId!) is not { } user)
        {
            return ConfirmEmailOutcome.InvalidOrExpired;
        }

        var result = await users.ConfirmEmailAsync(user, code);
        return result.Succeeded ? ConfirmEmailOutcome.Confirmed : ConfirmEmailOutcome.InvalidOrExpired;
    }

    /// <summary>Sends a new link if the address belongs to an unconfirmed account; otherwise silently nothing.</summary>
    public async Task ResendAsync(string email)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is { EmailConfirmed: false })
        {
            mails.ConfirmEmail(user, await users.GenerateEmailConfirmationTokenAsync(user));
        }
    }
}
