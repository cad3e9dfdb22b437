using Kastell.Server.Platform.Hosting;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;

namespace Kastell.Server.Platform.Observability;

/// <summary>
/// Production defaults for the console log, whatever the working directory (the server is often started from a folder
/// without <c>appsettings.json</c>, and the framework's default then logged every request and every SQL statement at
/// Information): the framework's and EF Core's categories at Warning, Kastell's own at Information, the host's
/// "Now listening on" line kept. They sit below every other configuration source, so <c>Logging:LogLevel:…</c> in a
/// file, the environment or the command line still wins. What happened in the product is the audit log's record
/// (the database, verified and forwarded to a SIEM), never the console's: no level here removes an audit event.
/// </summary>
internal static class LoggingSetup
{
    /// <summary>The category of the request lines that <see cref="LoggingOptions.Requests"/> turns on.</summary>
    public const string RequestCategory = "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware";

    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Kastell"] = "Information",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        // Written only when request logging is switched on; its own level so that "Microsoft.AspNetCore=Warning" does not silence it.
        ["Logging:LogLevel:" + RequestCategory] = "Information",
    };

    public static void AddKastellLogging(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        builder.Services.AddKastellOptions<LoggingOptions, LoggingOptionsValidator>(builder.Configuration, LoggingOptions.Section);
        var logging = builder.Configuration.ReadKastellOptions<LoggingOptions, LoggingOptionsValidator>(LoggingOptions.Section);
        if (logging.Format is { } format)
        {
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = format switch
            {
                LogFormat.Json => ConsoleFormatterNames.Json,
                LogFormat.Systemd => ConsoleFormatterNames.Systemd,
                _ => ConsoleFormatterNames.Simple,
            });
            builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.IncludeScopes = true; // the request id and path of the request a line belongs to
            });
        }

        if (logging.Requests)
        {
            builder.Services.AddHttpLogging(o =>
            {
                o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
                o.CombineLogs = true;
            });
        }
    }

    /// <summary>The request lines, when switched on; first in the pipeline so every answer (also a refusal) is logged.</summary>
    public static void UseKastellRequestLogging(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoggingOptions>>().Value.Requests)
        {
            app.UseHttpLogging();
        }
    }
}
