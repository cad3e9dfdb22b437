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
/// frames). Off by default; validated at start-up by <see cref="SiemSetup.Validate"/>. Every key is in the README.
/// </summary>
public sealed class SiemOptions
{
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
