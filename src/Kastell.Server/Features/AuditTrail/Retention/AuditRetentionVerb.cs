using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.AuditTrail.Retention;

/// <summary>One organization's result of a retention run: what happened, or the failure that stopped it.</summary>
internal sealed record AuditRetentionReport(Guid Organization, AuditRetentionOutcome? Outcome, Exception? Failure);

/// <summary>
/// The <c>audit-retention</c> verb: applies every organization's retention period (the server also does this on a
/// schedule, <see cref="AuditRetentionScheduler"/>; use the verb from cron when that is switched off).
/// </summary>
internal sealed class AuditRetentionVerb : CliVerb
{
    public override string Name => "audit-retention";

    public override string Description => "Archive and remove audit events past each organization's retention period (run daily when the server's schedule is off).";

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var (output, cancellationToken) = (invocation.Output, invocation.CancellationToken);
        var failed = 0;
        foreach (var report in await PruneAllAsync(invocation.Services, cancellationToken))
        {
            if (report.Failure is not null)
            {
                failed++;
            }

            await output.WriteLineAsync(Describe(report));
        }

        return failed == 0 ? 0 : 1;
    }

    /// <summary>Applies the retention period of every organization that has one, each in its own tenant scope; one failure does not stop the others.</summary>
    internal static async Task<List<AuditRetentionReport>> PruneAllAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        List<Guid> organizations;
        await using (var scope = services.CreateAsyncScope())
        {
            organizations = await scope.ServiceProvider.GetRequiredService<KastellDbContext>().Organizations.AsNoTracking()
                .Where(o => o.AuditRetentionDays != null).Select(o => o.Id).ToListAsync(cancellationToken);
        }

        var reports = new List<AuditRetentionReport>(organizations.Count);
        var scopes = services.GetRequiredService<TenantScopes>();
        foreach (var organization in organizations)
        {
            await using var scope = scopes.Enter(organization, AuditActor.System("audit-retention"));
            try
            {
                reports.Add(new(organization, await scope.Get<AuditRetention>().PruneAsync(cancellationToken), null));
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                reports.Add(new(organization, null, exception));
            }
        }

        return reports;
    }

    /// <summary>One line per organization; names sequence numbers, files and hashes, never event content.</summary>
    internal static string Describe(AuditRetentionReport report)
    {
        var (organization, outcome, failure) = report;
        if (failure is not null)
        {
            return $"{organization}: {failure.Message}";
        }

        var line = outcome?.Pruned is { } result
            ? $"{organization}: archived and removed events up to #{result.UpToSequence} ({result.Removed}) to {result.ArchivePath} (sha256 {result.ArchiveSha256})"
            : $"{organization}: nothing past the retention period";
        if (outcome?.HeldBack is { } hold)
        {
            line = (outcome.Pruned is null ? $"{organization}: nothing removed" : line)
                + $"; held back by the SIEM cursor: events up to #{hold.DueUpTo} are past the retention period, the SIEM has confirmed only up to #{hold.DeliveredUpTo}";
        }

        return line;
    }
}
