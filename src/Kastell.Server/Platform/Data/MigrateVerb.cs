using Kastell.Server.Platform.Hosting.Cli;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Data;

/// <summary><c>migrate</c>: applies the database migrations and exits (the deployment step for PostgreSQL).</summary>
internal sealed class MigrateVerb : CliVerb
{
    public override string Name => "migrate";

    public override string Description => "Apply database migrations and exit.";

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await MigrateAsync(invocation.Services, invocation.CancellationToken);
        await invocation.Output.WriteLineAsync("Database is up to date.");
        return 0;
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging: readers never block the writer.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
