using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// A class fixture: one fresh database on the process's PostgreSQL cluster with the tuple table created from the
/// library's mapping. Every <see cref="NewStore"/> is another store id (tenant) in that table, so tests stay isolated
/// without a database each.
/// </summary>
public sealed class PostgresTupleDatabase(PostgresCluster cluster) : IAsyncLifetime, IDbContextFactory<TupleDbContext>
{
    private DbContextOptions<TupleDbContext>? _options;

    public async ValueTask InitializeAsync()
    {
        var connectionString = await cluster.CreateDatabaseAsync("authz_tuples", TestContext.Current.CancellationToken);
        _options = new DbContextOptionsBuilder<TupleDbContext>().UseNpgsql(connectionString).Options;
        await using var db = CreateDbContext();
        await db.Database.EnsureCreatedAsync(TestContext.Current.CancellationToken);
    }

    public EntityFrameworkTupleStore<TupleDbContext> NewStore() => new(this, $"store-{Guid.NewGuid():N}");

    public TupleDbContext CreateDbContext() =>
        new(_options ?? throw new InvalidOperationException("The database fixture has not been initialized."));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
