using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.AuditTrail;

/// <summary>The <c>audit-retention</c> verb: applies every organization's retention period (run it daily, e.g. from cron).</summary>
public static class AuditRetentionVerb
{
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken = default)
    {
        List<Guid> organizations;
        await using (var scope = services.CreateAsyncScope())
        {
            organizations = await scope.ServiceProvider.GetRequiredService<KastellDbContext>().Organizations.AsNoTracking()
                .Where(o => o.AuditRetentionDays != null).Select(o => o.Id).ToListAsync(cancellationToken);
        }

        var failed = 0;
        foreach (var organization in organizations)
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(organization);
            try
            {
                var result = await scope.ServiceProvider.GetRequiredService<AuditRetention>().PruneAsync(cancellationToken);
                await output.WriteLineAsync(result is null
                    ? $"{organization}: nothing past the retention period"
                    : $"{organization}: archived and removed events up to #{result.UpToSequence} ({result.Removed}) to {result.ArchivePath} (sha256 {result.ArchiveSha256})");
            }
            catch (InvalidOperationException e)
            {
                failed++;
                await output.WriteLineAsync($"{organization}: {e.Message}");
            }
        }

        return failed == 0 ? 0 : 1;
    }
}
