using System.Diagnostics;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Observability;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.AuditTrail.Retention;

/// <summary>
/// Applies every organization's audit retention period on a schedule (<c>Kastell:Audit:Retention</c>), so nobody has
/// to remember a cron job. A failure is logged (exception type and message: sequence numbers and ids, no event
/// content, no secrets) and the organization is tried again at the next run; nothing here can stop the host.
/// </summary>
internal sealed class AuditRetentionScheduler(
    IServiceProvider services,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditRetentionScheduler> logger) : PeriodicJob(time)
{
    protected override TimeSpan? Interval => options.Value.Retention.Enabled ? options.Value.Retention.Interval : null;

    protected override TimeSpan FirstRunDelay => TimeSpan.FromMinutes(5);

    protected override Task RunPassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>One pass over all organizations; returns how many failed.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var activity = KastellTelemetry.Jobs.StartActivity("audit.retention", ActivityKind.Internal);
        try
        {
            var failed = 0;
            foreach (var report in await AuditRetentionVerb.PruneAllAsync(services, cancellationToken))
            {
                if (report.Failure is { } failure)
                {
                    failed++;
                    logger.LogWarning("Audit retention of organization {Organization} failed; it is tried again at the next run: {Error}",
                        report.Organization, failure.GetType().Name + ": " + failure.Message);
                }
                else if (report.Outcome?.Pruned is not null || report.Outcome?.HeldBack is not null)
                {
                    logger.LogInformation("Audit retention: {Result}", AuditRetentionVerb.Describe(report));
                }
            }

            activity?.SetTag("kastell.audit.retention.failures", failed);
            return failed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The organization list itself could not be read (database down): try again at the next run.
            logger.LogWarning("Audit retention could not run; it is tried again at the next run: {Error}", exception.GetType().Name + ": " + exception.Message);
            return -1;
        }
    }
}
