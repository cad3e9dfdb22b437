using System.Net;
using System.Text.Json;
using Kastell.Server.Tests.Architecture;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Observability;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Kastell.Server.Tests.Platform.Storage;

/// <summary>
/// Without a malware scanner every upload waits in quarantine; the operator learns it from the start-up log and the
/// readiness probe (degraded, still ready), and the README's run section says what uploads need. With clamd running,
/// neither warns.
/// </summary>
public sealed class ScannerStatusTests(NoScannerHost noScanner, ScannerHost scanner) : IClassFixture<NoScannerHost>, IClassFixture<ScannerHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithoutScanner_ReadinessIsDegraded_AndNamesTheScanner_ButStillAnswers200()
    {
        using var browser = noScanner.CreateBrowser();

        var ready = await browser.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(browser.LastPage!);
        Assert.Equal("Degraded", body.RootElement.GetProperty("status").GetString());
        var check = Check(body, "malware-scanner");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Contains("clamav-daemon", check.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", Check(body, "database").GetProperty("status").GetString());
        // The probe is public: it names no socket path or host.
        Assert.DoesNotContain("kastell-no-clamd", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithScanner_ReadinessIsHealthy()
    {
        using var browser = scanner.CreateBrowser();

        await browser.GetAsync("/health/ready");

        using var body = JsonDocument.Parse(browser.LastPage!);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(body, "malware-scanner").GetProperty("status").GetString());
    }

    [Fact]
    public void WithoutScanner_StartUpLogsAWarning_SayingHowToInstallOne()
    {
        _ = noScanner.Services; // started

        var warning = Assert.Single(noScanner.Logs.Entries, e => e.Contains("No malware scanner answers", StringComparison.Ordinal));
        Assert.StartsWith("log Warning", warning, StringComparison.Ordinal);
        Assert.Contains("apt-get install clamav-daemon", warning, StringComparison.Ordinal);
        Assert.Contains("quarantine", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void WithScanner_StartUpLogsNoScannerWarning()
    {
        _ = scanner.Services;

        Assert.DoesNotContain(scanner.Logs.Entries, e => e.Contains("No malware scanner answers", StringComparison.Ordinal));
    }

    [Fact]
    public void TheReadmesRunSection_SaysWhatUploadsNeed()
    {
        var readme = File.ReadAllText(Path.Combine(ArchitectureTests.RepositoryRoot(), "README.md"));
        var run = readme[readme.IndexOf("## Run it", StringComparison.Ordinal)..readme.IndexOf("## Test it", StringComparison.Ordinal)];

        Assert.Contains("clamav-daemon", run, StringComparison.Ordinal);
        Assert.Contains("quarantine", run, StringComparison.Ordinal);
        Assert.Contains("/health/ready", run, StringComparison.Ordinal);
    }

    private static JsonElement Check(JsonDocument body, string name) =>
        body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}

/// <summary>A host whose clamd socket does not exist (nothing installed), with its log captured.</summary>
public sealed class NoScannerHost(SmtpSink mail) : SqliteHost(mail)
{
    public TelemetryCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Storage:Clamd", Clamd.Unreachable)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }
}

/// <summary>The same with the test clamd answering.</summary>
public sealed class ScannerHost(SmtpSink mail) : SqliteHost(mail)
{
    public TelemetryCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Storage:Clamd", Clamd.Endpoint)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }
}
