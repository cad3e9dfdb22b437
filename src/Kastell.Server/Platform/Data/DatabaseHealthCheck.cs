using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kastell.Server.Platform.Data;

/// <summary>Ready means: the database answers and every migration of this build is applied.</summary>
internal sealed class DatabaseHealthCheck(KastellDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("database unreachable");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy("database reachable, migrations applied")
                : HealthCheckResult.Unhealthy($"{pending} migration(s) not applied");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception text may carry host names or credentials: keep it out of the response.
            return HealthCheckResult.Unhealthy("database check failed");
        }
    }
}
