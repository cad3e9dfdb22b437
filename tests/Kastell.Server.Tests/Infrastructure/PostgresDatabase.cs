namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// A class fixture giving one test class its own database on the process-wide <see cref="PostgresCluster"/>:
/// <c>public sealed class MyTests(PostgresDatabase database) : IClassFixture&lt;PostgresDatabase&gt;</c>.
/// </summary>
public sealed class PostgresDatabase(PostgresCluster cluster) : IAsyncLifetime
{
    private string? connectionString;

    /// <summary>Connection string of this class's database; available once the fixture is initialized.</summary>
    public string ConnectionString =>
        connectionString ?? throw new InvalidOperationException("The database fixture has not been initialized.");

    public async ValueTask InitializeAsync() =>
        connectionString = await cluster.CreateDatabaseAsync(
            TestContext.Current.TestClass?.TestClassSimpleName, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
