using System.ComponentModel.DataAnnotations;

namespace Kastell.Server.Platform;

/// <summary>The <c>Kastell</c> configuration section. Every key is documented in the README.</summary>
public sealed class KastellOptions
{
    public const string Section = "Kastell";

    /// <summary>Where SQLite, keys and files live. Default: <c>data</c> beside the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    public DatabaseOptions Database { get; set; } = new();

    public SessionOptions Sessions { get; set; } = new();

    public EmailOptions Email { get; set; } = new();

    public Encryption.KeyOptions Keys { get; set; } = new();

    public AuditOptions Audit { get; set; } = new();

    public Storage.StorageOptions Storage { get; set; } = new();

    public Siem.SiemOptions Siem { get; set; } = new();

    public Observability.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>The absolute data directory.</summary>
    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for PostgreSQL; for SQLite it defaults to <c>kastell.db</c> in the data directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply migrations at start-up. Default: on for SQLite (zero set-up), off for PostgreSQL (run <c>migrate</c>).</summary>
    public bool? MigrateOnStartup { get; set; }
}

public sealed class SessionOptions
{
    /// <summary>A session unused for this long ends. Default 30 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however active. Default 12 hours.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);
}

public sealed class EmailOptions
{
    /// <summary>
    /// SMTP host. When empty, e-mail is written as .eml files into <c>&lt;DataDirectory&gt;/mail-outbox/</c>; that is
    /// allowed in Development only (a warning is logged at start-up), anywhere else start-up fails.
    /// </summary>
    public string? SmtpHost { get; set; }

    /// <summary>587 (STARTTLS, default) or 465 (TLS from the first byte).</summary>
    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary>
    /// STARTTLS/TLS is required. Only when <see cref="SmtpHost"/> is a loopback address (a relay on the same machine)
    /// may this explicit switch allow a plain connection; it is ignored for any other host.
    /// </summary>
    public bool AllowInsecureLoopbackSmtp { get; set; }

    /// <summary>SMTP user; credentials are only ever sent over TLS (or to an allowed insecure loopback relay).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "Kastell <no-reply@localhost>";

    /// <summary>
    /// The public base URL used in links inside e-mails, e.g. https://kastell.example.com. Required; must be an absolute
    /// https URL, except http on a loopback host in Development.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long e-mail confirmation and password reset links stay valid. Default and maximum 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an invitation into an organization stays valid. Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);
}

public sealed class AuditOptions
{
    /// <summary>Every this many events of a chain get a signed checkpoint. Default 100.</summary>
    [Range(1, 1_000_000)]
    public int CheckpointInterval { get; set; } = 100;

    public AuditRetentionOptions Retention { get; set; } = new();
}

/// <summary><c>Kastell:Audit:Retention</c>: the server applies every organization's retention period on a schedule.</summary>
public sealed class AuditRetentionOptions
{
    /// <summary>Run retention in the server. Off: run the <c>audit-retention</c> verb from cron instead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between runs. Default one day; the first run comes at most five minutes after start-up.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Where the archives of removed events go. Default <c>&lt;DataDirectory&gt;/audit-archive</c>.</summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>The absolute archive directory.</summary>
    public string ResolveArchiveDirectory(KastellOptions options) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(ArchiveDirectory) ? Path.Combine(options.ResolveDataDirectory(), "audit-archive") : ArchiveDirectory);
}
