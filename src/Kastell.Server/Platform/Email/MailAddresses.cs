using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using MimeKit;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// E-mail addresses as the mail library reads them. An address typed into a form is accepted only if MimeKit's own
/// strict RFC 5322 parser reads it as exactly one bare mailbox — no display name, comment, route, group or list — and
/// its reading is the whole input, so what Kastell stores is what the library will later send to. Anything else is a
/// form error at the edge, never a message that fails in the queue.
/// </summary>
public static class MailAddresses
{
    /// <summary>RFC 5321's limit for a path, which every form also enforces.</summary>
    public const int MaxLength = 254;

    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
        AllowUnquotedCommasInAddresses = false,
        MaxAddressGroupDepth = 0,
    };

    /// <summary>The address, trimmed, if it is one bare mailbox the mail library accepts as it is.</summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out string? address)
    {
        address = null;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return false;
        }

        if (!MailboxAddress.TryParse(Strict, text, out var mailbox)
            || mailbox.Route.Count > 0
            || !string.IsNullOrEmpty(mailbox.Name)
            || !string.Equals(mailbox.Address, text, StringComparison.Ordinal)
            || mailbox.Domain.Length == 0)
        {
            return false;
        }

        address = text;
        return true;
    }

    /// <summary>The recipient as a MIME mailbox, read strictly; throws <see cref="InvalidRecipientException"/> otherwise.</summary>
    internal static MailboxAddress Mailbox(string address) =>
        TryParse(address, out var valid) ? new MailboxAddress("", valid) : throw new InvalidRecipientException();

    /// <summary>The address with its local part hidden but for the first character, for operators' listings.</summary>
    public static string Masked(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "…" : address[0] + "…" + address[at..];
    }
}

/// <summary>Form validation with <see cref="MailAddresses.TryParse"/>; an empty value is left to <c>[Required]</c>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class MailAddressAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) =>
        value is null || (value is string text && (text.Length == 0 || MailAddresses.TryParse(text, out _)));
}

/// <summary>A recipient the mail library cannot address: no retry can deliver the message.</summary>
public sealed class InvalidRecipientException() : Exception("The recipient is not a single valid e-mail address.");
