using System.Text;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Kastell.Server.Features.Accounts.Email;

/// <summary>
/// The account e-mails. Each puts one message into the durable outbox through the caller's data context (inside the
/// caller's transaction, if one is open); tokens appear only inside the link, never in logs.
/// </summary>
internal sealed class AccountMails(MailComposer composer, EmailLinks links, EmailOutbox outbox)
{
    public const string ConfirmPath = "/account/confirm-email";
    public const string ResetPath = "/account/reset-password";

    public Task ConfirmEmailAsync(KastellUser user, string identityToken)
    {
        var url = links.To(EmailLinks.Query(ConfirmPath, ("userId", user.Id.ToString()), ("code", EncodeToken(identityToken))));
        return outbox.EnqueueAsync(composer.Compose(user.Email!, user.PreferredCulture, "confirm-email", "MailConfirmSubject",
            [new("MailHello", user.DisplayName), new("MailConfirmBody"), new("MailIgnoreIfNotYou")],
            ("MailConfirmAction", url)));
    }

    /// <summary>Sign-up with an address that already has an account: tell its owner instead of telling the visitor.</summary>
    public Task RegistrationAttemptAsync(KastellUser user)
    {
        return outbox.EnqueueAsync(composer.Compose(user.Email!, user.PreferredCulture, "registration-attempt", "MailAttemptSubject",
            [new("MailHello", user.DisplayName), new("MailAttemptBody"), new("MailAttemptForgot")],
            ("MailAttemptAction", links.To("/account/forgot-password"))));
    }

    public Task PasswordResetAsync(KastellUser user, string identityToken, TimeSpan lifetime)
    {
        var url = links.To(EmailLinks.Query(ResetPath, ("userId", user.Id.ToString()), ("code", EncodeToken(identityToken))));
        return outbox.EnqueueAsync(composer.Compose(user.Email!, user.PreferredCulture, "password-reset", "MailResetSubject",
            [new("MailHello", user.DisplayName), new("MailResetBody", (int)Math.Ceiling(lifetime.TotalMinutes)), new("MailIgnoreIfNotYou")],
            ("MailResetAction", url)));
    }

    /// <summary>
    /// The names in it were chosen by the inviter, so they are cut to a name's length and to one plain line, and the
    /// mail says whose they are: the inviter's confirmed address stands beside them.
    /// </summary>
    public Task InvitationAsync(string email, string? culture, string organizationName, string inviterName, string inviterEmail, string roleKey, string token, int validDays, CancellationToken cancellationToken = default)
    {
        var url = links.To(EmailLinks.Query("/invitations/accept", ("token", token)));
        return outbox.EnqueueAsync(composer.Compose(email, culture, "invitation", "MailInviteSubject",
            [
                new("MailInviteBody", ChosenText.ForMail(inviterName), inviterEmail, ChosenText.ForMail(organizationName)),
                new("MailInviteRole", new LocalizedArgument(roleKey)),
                new("MailInviteExpiry", validDays),
                new("MailInviteAttribution", inviterEmail),
                new("MailInviteUnexpected"),
            ],
            ("MailInviteAction", url)), cancellationToken);
    }

    /// <summary>Identity tokens contain '+', '/' and '='; base64url keeps them intact through mail clients and query strings.</summary>
    public static string EncodeToken(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static string? DecodeToken(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded) || encoded.Length > 2048)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
