using System.Net;
using System.Text.RegularExpressions;
using MimeKit;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>One message accepted by the <see cref="SmtpSink"/>: the SMTP envelope, the raw MIME and its parsed parts.</summary>
public sealed partial class ReceivedMessage
{
    private ReceivedMessage(string envelopeFrom, IReadOnlyList<string> envelopeTo, byte[] rawMime, MimeMessage mime)
    {
        EnvelopeFrom = envelopeFrom;
        EnvelopeTo = envelopeTo;
        RawMime = rawMime;
        Mime = mime;
        Links = FindLinks(mime.HtmlBody, mime.TextBody);
    }

    /// <summary>The MAIL FROM path; empty for the null sender used by bounces.</summary>
    public string EnvelopeFrom { get; }

    /// <summary>Every RCPT TO path, in the order given, including Bcc recipients that no header shows.</summary>
    public IReadOnlyList<string> EnvelopeTo { get; }

    /// <summary>The message as received after the end-of-data marker was removed and dots were unstuffed.</summary>
    public ReadOnlyMemory<byte> RawMime { get; }

    public MimeMessage Mime { get; }

    public string Subject => Mime.Subject ?? "";

    public string? TextBody => Mime.TextBody;

    public string? HtmlBody => Mime.HtmlBody;

    /// <summary>Absolute http(s) links from the HTML part's href attributes and from the text part, first seen first.</summary>
    public IReadOnlyList<Uri> Links { get; }

    internal static ReceivedMessage Parse(string envelopeFrom, IReadOnlyList<string> envelopeTo, byte[] rawMime)
    {
        using var stream = new MemoryStream(rawMime, writable: false);
        return new ReceivedMessage(envelopeFrom, envelopeTo, rawMime, MimeMessage.Load(stream));
    }

    public bool IsAddressedTo(string address) =>
        EnvelopeTo.Any(recipient => string.Equals(recipient, address, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"from <{EnvelopeFrom}> to <{string.Join(">, <", EnvelopeTo)}>: \"{Subject}\"";

    private static List<Uri> FindLinks(string? html, string? text)
    {
        var candidates = new List<string>();
        if (html is not null)
        {
            candidates.AddRange(HrefAttribute().Matches(html).Select(match => WebUtility.HtmlDecode(match.Groups["url"].Value)));
        }
        if (text is not null)
        {
            candidates.AddRange(BareUrl().Matches(text).Select(match => match.Value));
        }
        return candidates
            .Select(candidate => Uri.TryCreate(candidate.Trim(), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .Where(uri => uri.Scheme is "http" or "https")
            .Distinct()
            .ToList();
    }

    [GeneratedRegex("""href\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)')""", RegexOptions.IgnoreCase)]
    private static partial Regex HrefAttribute();

    [GeneratedRegex("""https?://[^\s<>"'\)\]]+""", RegexOptions.IgnoreCase)]
    private static partial Regex BareUrl();
}
