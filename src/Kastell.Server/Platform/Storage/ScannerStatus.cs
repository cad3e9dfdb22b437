using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// Whether the malware scanner answers, asked at most every <see cref="CacheFor"/>: the files page and the readiness
/// probe ask often, clamd need not hear from every one of them. Without an answering scanner no upload becomes
/// available (each is held in quarantine until a rescan), so the people who can fix it must be told: the log at
/// start-up, the readiness probe (degraded, still ready) and the files page for the organization's administrators.
/// </summary>
public sealed class ScannerStatus(ClamdScanner scanner, TimeProvider time)
{
    /// <summary>How long one answer counts.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    /// <summary>A ping takes a few milliseconds when clamd runs; a refused or missing socket fails at once.</summary>
    private static readonly TimeSpan PingLimit = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim _probe = new(1, 1);
    private (bool Answering, DateTimeOffset At)? _last;

    public async Task<bool> IsAnsweringAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } known)
        {
            return known;
        }

        await _probe.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } answered)
            {
                return answered; // another caller asked while this one waited
            }

            var answering = await scanner.PingAsync(PingLimit, cancellationToken);
            _last = (answering, time.GetUtcNow());
            return answering;
        }
        finally
        {
            _probe.Release();
        }
    }

    private bool? Fresh() => _last is { } last && time.GetUtcNow() - last.At < CacheFor ? last.Answering : null;
}

/// <summary>
/// Readiness: without a scanner Kastell still serves everything, but uploads wait in quarantine — degraded, not
/// unhealthy, so a load balancer keeps the instance while an operator sees why uploads do not appear.
/// </summary>
internal sealed class ScannerHealthCheck(ScannerStatus status) : IHealthCheck
{
    public const string Name = "malware-scanner";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await status.IsAnsweringAsync(cancellationToken)
            ? HealthCheckResult.Healthy("clamd answers")
            : HealthCheckResult.Degraded("no malware scanner answers: uploads are held in quarantine until one does (install clamav-daemon)");
}

/// <summary>Says at start-up, once and loudly, that no scanner answers, and how to get one.</summary>
internal sealed partial class ScannerStartupCheck(ScannerStatus status, IOptions<StorageOptions> options, ILogger<ScannerStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await status.IsAnsweringAsync(cancellationToken))
        {
            NoScanner(logger, options.Value.Clamd);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message =
        "No malware scanner answers at {Endpoint} (Kastell:Storage:Clamd). Every upload is held in quarantine, unavailable to everyone, " +
        "until one does; held files are released by the next rescan. Install ClamAV's daemon (Debian/Ubuntu: apt-get install clamav-daemon, " +
        "with StreamMaxLength at least Kastell:Storage:MaxUploadBytes in /etc/clamav/clamd.conf) or point Kastell:Storage:Clamd at a running clamd.")]
    private static partial void NoScanner(ILogger logger, string endpoint);
}
