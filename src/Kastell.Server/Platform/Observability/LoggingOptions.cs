using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Observability;

/// <summary>How the console log is written.</summary>
public enum LogFormat
{
    /// <summary>The framework's default: readable lines.</summary>
    Simple,

    /// <summary>One JSON object per line (<c>Timestamp</c>, <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>, <c>State</c>, <c>Scopes</c>), for log collectors.</summary>
    Json,

    /// <summary>Single lines with syslog severity prefixes, for journald.</summary>
    Systemd,
}

/// <summary>
/// <c>Kastell:Logging</c>: the console log's format and whether requests are logged. The levels themselves are the
/// framework's <c>Logging:LogLevel</c> keys, with production defaults from <see cref="LoggingSetup"/>.
/// </summary>
public sealed class LoggingOptions
{
    public const string Section = "Kastell:Logging";

    /// <summary>The console format; unset leaves the framework's <c>Logging:Console:FormatterName</c> (simple).</summary>
    [OptionEnum]
    public LogFormat? Format { get; set; }

    /// <summary>
    /// One line per request: method, path (never the query, which can carry a one-time token), status and duration.
    /// Off by default: the audit log records what happened; this is for troubleshooting.
    /// </summary>
    public bool Requests { get; set; }
}

[OptionsValidator]
internal sealed partial class LoggingOptionsValidator : IValidateOptions<LoggingOptions>;
