using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kastell.Server.Tests.Platform.Observability;

/// <summary>
/// The console log's production defaults, on the built server started as an operator starts it (from a working
/// directory without <c>appsettings.json</c>): no request lines and no SQL unless asked for, Kastell's own events and
/// the host's "Now listening on" kept; JSON lines on request; request lines without the query (which can carry a
/// one-time token). And the audit log does not depend on any of it.
/// </summary>
public sealed class LoggingDefaultsTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private const string QuerySecret = "one-time-Secret-4715";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ByDefault_TheConsoleHasNoRequestLinesAndNoSql_ButTheHostsStartAndStopLines()
    {
        var output = await RunServerAsync([]);

        Assert.Contains("Now listening on: https://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("Application is shutting down", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", output, StringComparison.Ordinal); // SQLite migrates at start-up: SQL ran
        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.DoesNotContain("/health/live", output, StringComparison.Ordinal);
        Assert.DoesNotContain(QuerySecret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonFormatAndRequestLogging_WriteOneJsonObjectPerLine_WithMethodPathAndStatus_ButNeverTheQuery()
    {
        var output = await RunServerAsync(["--Kastell:Logging:Format=Json", "--Kastell:Logging:Requests=true"]);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList(); // throws on a line that is not JSON
        Assert.All(entries, e => Assert.True(e.TryGetProperty("Category", out _) && e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Timestamp", out _)));
        Assert.Contains(entries, e => e.GetProperty("Message").GetString()!.Contains("Now listening on", StringComparison.Ordinal));
        var signIn = Assert.Single(entries, e => e.GetProperty("Category").GetString() == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware"
            && e.GetProperty("Message").GetString()!.Contains("/account/sign-in", StringComparison.Ordinal));
        Assert.Contains("GET", signIn.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Contains("StatusCode: 200", signIn.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Contains(entries, e => e.GetProperty("Message").GetString()!.Contains("/health/live", StringComparison.Ordinal));
        Assert.DoesNotContain(QuerySecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnderTheProductionLevels_KastellsEventsAreLogged_FrameworkChatterIsNot_AndEveryAuditEventIsRecorded()
    {
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail("stranger");

        await Journeys.PasswordStepAsync(browser, email, "not-the-password-1");

        Assert.True(loggers.CreateLogger("Kastell.Server.Platform.Authorization.Permissions").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Kastell.Server.Platform.Siem.SiemForwarder").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.EntityFrameworkCore.Database.Command").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.DataProtection.KeyManagement.KeyRingProvider").IsEnabled(LogLevel.Warning));
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var failed = await db.Set<AuditEvent>().AsNoTracking().Where(e => e.OrganizationId == null && e.Type == AccountEvents.SignInFailed).ToListAsync(Ct);
            Assert.NotEmpty(failed); // the record of the refused sign-in is the audit chain's, whatever the console's level
        }
    }

    /// <summary>
    /// Starts the built server from an empty working directory, asks for a page (with a secret in its query) and the
    /// health endpoint, stops it with SIGTERM (so the console flushes) and returns what it wrote.
    /// </summary>
    private static async Task<string> RunServerAsync(string[] settings)
    {
        var directory = Directory.CreateTempSubdirectory("kastell-logging-").FullName;
        var port = FreeLoopbackPort.Find();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "Kastell.Server.dll"), $"--urls=https://127.0.0.1:{port}", $"--Kastell:DataDirectory={directory}", .. settings])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        try
        {
            using var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
            {
                BaseAddress = new Uri($"https://127.0.0.1:{port}"),
            };
            await WaitUntilServingAsync(client, process);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/account/sign-in?token={QuerySecret}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Ct)).StatusCode);
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(Ct);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Directory.Delete(directory, recursive: true);
        }

        return (await stdout) + (await stderr);
    }

    private static async Task WaitUntilServingAsync(HttpClient client, Process process)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            Assert.False(process.HasExited, "The server stopped during start-up.");
            try
            {
                if ((await client.GetAsync("/health/live", Ct)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail("The server did not answer within 30 s.");
    }
}
