using System.Net;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace Kastell.Server.Tests.Platform.Observability;

/// <summary>
/// With logging at Trace and OpenTelemetry on, real sign-up, MFA enrolment and sign-ins (TOTP, recovery code, a wrong
/// password) seed known secrets; no log line, exported log record or span may contain any of them.
/// </summary>
public abstract class SecretsInTelemetryTests<THost>(THost host)
    where THost : KastellHost, ITelemetryCaptureHost
{
    [Fact]
    public async Task NoSecret_AppearsInLogsOrTelemetry()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);

        using var second = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(second, user.Email, user.Password);
        var mfa = await second.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string>
        {
            ["Input.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
        });
        Assert.Equal(HttpStatusCode.Redirect, mfa.StatusCode);
        var sessionCookie = mfa.Headers.GetValues("Set-Cookie")
            .Select(c => c.Split(';')[0])
            .Single(c => c.StartsWith("__Host-Kastell=", StringComparison.Ordinal))["__Host-Kastell=".Length..];
        await second.GetAsync("/"); // a request that carries the session cookie

        using var third = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(third, user, 0);

        var wrongPassword = "Wrong-Secret-" + Guid.NewGuid().ToString("N");
        using var fourth = host.CreateBrowser();
        await Journeys.PasswordStepAsync(fourth, user.Email, wrongPassword);

        host.Services.GetService<LoggerProvider>()?.ForceFlush();
        host.Services.GetService<TracerProvider>()?.ForceFlush();
        var capture = host.Telemetry;
        var all = capture.AllText();

        // The capture saw what it should: debug-level framework logs, exported log records and request spans.
        Assert.Contains(capture.Entries, e => e.StartsWith("log Debug ", StringComparison.Ordinal));
        Assert.Contains(capture.Entries, e => e.StartsWith("otel-log ", StringComparison.Ordinal));
        Assert.Contains(capture.Entries, e => e.StartsWith("otel-span Microsoft.AspNetCore ", StringComparison.Ordinal));
        Assert.Contains("/account/sign-in/recovery", all, StringComparison.Ordinal); // the sign-in requests were logged

        var secrets = new Dictionary<string, string>
        {
            ["password"] = user.Password,
            ["wrong password"] = wrongPassword,
            ["TOTP secret"] = user.TotpSecret,
            ["TOTP secret (lower case)"] = user.TotpSecret.ToLowerInvariant(),
            ["session cookie"] = sessionCookie,
            ["session cookie (first 32 characters)"] = sessionCookie[..32],
        };
        for (var i = 0; i < user.RecoveryCodes.Count; i++)
        {
            secrets[$"recovery code {i}"] = user.RecoveryCodes[i];
        }

        var found = secrets.Where(s => all.Contains(s.Value, StringComparison.Ordinal)).Select(s => s.Key).ToList();
        Assert.True(found.Count == 0, $"Secrets found in {capture.Count} captured entries: {string.Join(", ", found)}");
    }
}

public interface ITelemetryCaptureHost
{
    TelemetryCapture Telemetry { get; }
}

internal static class TelemetryCaptureSetup
{
    public static readonly KeyValuePair<string, string?>[] Settings =
    [
        new("Logging:LogLevel:Default", "Trace"),
        new("Logging:LogLevel:Microsoft.AspNetCore", "Trace"),
        new("Kastell:Telemetry:Enabled", "true"),
        // Nothing listens there: the OTLP exporters fail quietly; the capturing exporters below see everything.
        new("Kastell:Telemetry:OtlpEndpoint", "http://127.0.0.1:9"),
    ];

    public static void Apply(IWebHostBuilder builder, TelemetryCapture capture)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(capture));
        builder.ConfigureServices(services =>
        {
            services.ConfigureOpenTelemetryLoggerProvider(b => b.AddProcessor(new SimpleLogRecordExportProcessor(capture.LogExporter)));
            services.ConfigureOpenTelemetryTracerProvider(b => b.AddProcessor(new SimpleActivityExportProcessor(capture.SpanExporter)));
        });
    }
}

public sealed class TelemetrySqliteHost(SmtpSink mail) : SqliteHost(mail), ITelemetryCaptureHost
{
    public TelemetryCapture Telemetry { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => TelemetryCaptureSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TelemetryCaptureSetup.Apply(builder, Telemetry);
    }
}

public sealed class TelemetryPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), ITelemetryCaptureHost
{
    public TelemetryCapture Telemetry { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => TelemetryCaptureSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TelemetryCaptureSetup.Apply(builder, Telemetry);
    }
}

public sealed class SecretsInTelemetryTestsOnSqlite(TelemetrySqliteHost host) : SecretsInTelemetryTests<TelemetrySqliteHost>(host), IClassFixture<TelemetrySqliteHost>;

public sealed class SecretsInTelemetryTestsOnPostgres(TelemetryPostgresHost host) : SecretsInTelemetryTests<TelemetryPostgresHost>(host), IClassFixture<TelemetryPostgresHost>;
