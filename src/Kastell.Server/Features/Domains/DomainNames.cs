using System.Globalization;
using System.Net;
using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Domains;

/// <summary>
/// Domain names as people type them, checked at the edge and brought into the one form Kastell stores and compares:
/// ASCII (an internationalized name as its A-label, <c>bücher.de</c> → <c>xn--bcher-kva.de</c>, through UTS #46 with
/// the STD3 rules), lower case, without a trailing dot. Refused: addresses, IP literals, single labels, names longer
/// than DNS allows, and a public suffix alone (<c>co.uk</c>, <c>github.io</c>), which no organization can own.
/// </summary>
internal static class DomainNames
{
    /// <summary>The longest name DNS carries in its text form (RFC 1035: 255 octets on the wire).</summary>
    public const int MaxLength = 253;

    /// <summary>The longest input looked at: a Unicode name is longer than its A-label, but not without bound.</summary>
    public const int MaxInputLength = 1024;

    private const int MaxLabelLength = 63;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    public static Result<string> Normalize(string? input)
    {
        var text = input?.Trim() ?? "";
        if (text.Length is 0 or > MaxInputLength)
        {
            return DomainsErrors.NameInvalid;
        }

        if (text.EndsWith('.'))
        {
            text = text[..^1]; // the root label, as in "example.com."
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(text).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            // Spaces, "@", "/", ":", "_", empty labels, a leading or trailing hyphen, unassigned code points.
            return DomainsErrors.NameInvalid;
        }

        var labels = ascii.Split('.');
        if (ascii.Length > MaxLength || labels.Length < 2 || labels.Any(l => l.Length is 0 or > MaxLabelLength)
            || IPAddress.TryParse(ascii, out _) || labels[^1].All(char.IsAsciiDigit))
        {
            return DomainsErrors.NameInvalid;
        }

        return PublicSuffixList.Shared.IsPublicSuffix(ascii) ? DomainsErrors.PublicSuffix : ascii;
    }

    /// <summary>The domain of an e-mail address in the stored form, or null when the address has none that could be held.</summary>
    public static string? OfEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 320)
        {
            return null;
        }

        var at = email.Trim().LastIndexOf('@');
        return at <= 0 ? null : Normalize(email.Trim()[(at + 1)..]) is { Value: { } name } ? name : null;
    }

    /// <summary>The name for people: the Unicode form of an A-label, so <c>xn--bcher-kva.de</c> shows as <c>bücher.de</c>.</summary>
    public static string Display(string ascii)
    {
        try
        {
            return Idn.GetUnicode(ascii);
        }
        catch (ArgumentException)
        {
            return ascii;
        }
    }
}
