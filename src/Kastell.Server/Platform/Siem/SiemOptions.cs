using System.Security.Cryptography;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Platform.Siem;

/// <summary>What the syslog message body carries.</summary>
public enum SiemFormat
{
    /// <summary>One JSON object per event.</summary>
    Json,

    /// <summary>ArcSight Common Event Format (CEF:0).</summary>
    Cef,
}

/// <summary>
/// <c>Kastell:Siem</c>: forwarding of audit events to a SIEM as RFC 5424 syslog over TLS (RFC 5425, octet-counted
/// frames). Off by default; validated at start-up by <see cref="SiemOptionsValidator"/>. Every key is in the README.
/// </summary>
public sealed class SiemOptions
{
    public const string Section = "Kastell:Siem";

    public bool Enabled { get; set; }

    /// <summary>The receiver's host name or IP address; also the name its certificate must carry.</summary>
    public string? Host { get; set; }

    /// <summary>6514 is the registered port of syslog over TLS.</summary>
    public int Port { get; set; } = 6514;

    public SiemFormat Format { get; set; } = SiemFormat.Json;

    /// <summary>
    /// PEM file with the CA certificate(s) that issued the receiver's certificate. When set, only these are trusted
    /// (not the system store): a private SIEM CA cannot be spoofed by any public CA.
    /// </summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>
    /// Optional pins: SHA-256 of the receiver certificate's SubjectPublicKeyInfo in hex, separated by commas. When
    /// set, the receiver's key must match one of them in addition to a valid chain.
    /// </summary>
    public string? PinnedPublicKeySha256 { get; set; }

    /// <summary>Optional client certificate (PEM) for receivers that require mutual TLS; needs <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>Events per frame batch and per cursor update.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How often the forwarder looks for new events when it has caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries after a failure wait 1 s, 2 s, 4 s, ... up to this.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Everything that can be checked without connecting, and only while forwarding is on (switched off, none of these
/// settings is used); a mistake stops start-up rather than losing events quietly.
/// </summary>
internal sealed class SiemOptionsValidator : OptionsRules<SiemOptions>
{
    public override IEnumerable<string> Problems(SiemOptions siem)
    {
        if (!siem.Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(siem.Host) || Uri.CheckHostName(siem.Host) == UriHostNameType.Unknown)
        {
            yield return "Kastell:Siem:Host must be a host name or IP address.";
        }

        if (!Enum.IsDefined(siem.Format))
        {
            yield return OptionMessages.OneOf("Kastell:Siem:Format", typeof(SiemFormat));
        }

        string?[] ranges =
        [
            OptionMessages.Range("Kastell:Siem:Port", siem.Port, 1, 65535),
            OptionMessages.Range("Kastell:Siem:BatchSize", siem.BatchSize, 1, 10_000),
            OptionMessages.Range("Kastell:Siem:PollInterval", siem.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
            OptionMessages.Range("Kastell:Siem:MaxRetryDelay", siem.MaxRetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        ];
        foreach (var outside in ranges.OfType<string>())
        {
            yield return outside;
        }

        if (SiemTrust.ParsePins(siem.PinnedPublicKeySha256).Any(p => p.Length != 64 || !p.All(Uri.IsHexDigit)))
        {
            yield return "Kastell:Siem:PinnedPublicKeySha256 must be SHA-256 values in hex (64 digits), separated by commas.";
        }

        var hasCertificate = !string.IsNullOrWhiteSpace(siem.ClientCertificateFile);
        if (hasCertificate != !string.IsNullOrWhiteSpace(siem.ClientKeyFile))
        {
            yield return "Kastell:Siem:ClientCertificateFile and Kastell:Siem:ClientKeyFile go together.";
        }

        // Each file is loaded as SiemTrust will load it, on its own, so the message names the key that is wrong.
        if (!string.IsNullOrWhiteSpace(siem.CaCertificateFile) && LoadError(new() { CaCertificateFile = siem.CaCertificateFile }) is { } ca)
        {
            yield return "Kastell:Siem:CaCertificateFile could not be loaded: " + ca;
        }

        if (hasCertificate && !string.IsNullOrWhiteSpace(siem.ClientKeyFile)
            && LoadError(new() { ClientCertificateFile = siem.ClientCertificateFile, ClientKeyFile = siem.ClientKeyFile }) is { } client)
        {
            yield return "Kastell:Siem:ClientCertificateFile and Kastell:Siem:ClientKeyFile could not be loaded: " + client;
        }
    }

    private static string? LoadError(SiemOptions files)
    {
        try
        {
            SiemTrust.Load(files);
            return null;
        }
        catch (Exception exception) when (exception is IOException or CryptographicException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            return exception.Message;
        }
    }
}
