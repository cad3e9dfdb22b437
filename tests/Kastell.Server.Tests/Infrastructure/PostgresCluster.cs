using System.Text.RegularExpressions;
using Npgsql;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server for one test process. Uses the server named by <c>KASTELL_TEST_POSTGRES</c> (a connection
/// string for a user that may create databases) when set; otherwise starts a throwaway cluster on loopback the first
/// time a database is asked for, so test runs that never touch PostgreSQL do not pay for it. Each caller gets its own
/// freshly created database, which keeps test classes isolated from each other.
/// </summary>
public sealed partial class PostgresCluster : IAsyncLifetime
{
    public const string ExternalConnectionStringVariable = "KASTELL_TEST_POSTGRES";

    private readonly Lock gate = new();
    private readonly List<string> createdDatabases = [];
    private Task<string>? adminConnectionString;
    private LocalPostgresServer? localServer;
    private int databaseCounter;

    /// <summary>True when the tests run against the server from <c>KASTELL_TEST_POSTGRES</c>.</summary>
    public static bool IsExternal =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ExternalConnectionStringVariable));

    // Nothing to do up front: the cluster starts on first use. A killed test process is covered by the cluster's
    // watchdog, which stops it when the process disappears.
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// Creates a new, empty, uniquely named database and returns a connection string for it.
    /// </summary>
    /// <param name="label">A readable hint put into the database name (for example the test class name).</param>
    public async Task<string> CreateDatabaseAsync(string? label = null, CancellationToken cancellationToken = default)
    {
        var admin = await GetAdminConnectionStringAsync();
        var name = UniqueDatabaseName(label);

        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        lock (gate)
        {
            createdDatabases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        Task<string>? started;
        lock (gate)
        {
            started = adminConnectionString;
        }
        if (started is null)
        {
            return;
        }

        // Pooled connections would keep databases busy (external server) or log noise (local server).
        NpgsqlConnection.ClearAllPools();
        if (localServer is not null)
        {
            localServer.Stop();
        }
        else if (started.IsCompletedSuccessfully)
        {
            await DropCreatedDatabasesAsync(started.Result);
        }
    }

    private Task<string> GetAdminConnectionStringAsync()
    {
        lock (gate)
        {
            // Started once; a failed start is remembered so every test reports the same cause quickly.
            return adminConnectionString ??= StartAsync();
        }
    }

    private async Task<string> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(ExternalConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var builder = new NpgsqlConnectionStringBuilder(external);
            builder.Database ??= "postgres";
            return builder.ConnectionString;
        }

        var server = await LocalPostgresServer.StartAsync();
        localServer = server;
        return server.AdminConnectionString;
    }

    private async Task DropCreatedDatabasesAsync(string admin)
    {
        string[] names;
        lock (gate)
        {
            names = [.. createdDatabases];
        }
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (var name in names)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private string UniqueDatabaseName(string? label)
    {
        var readable = NotIdentifierCharacters().Replace((label ?? "db").ToLowerInvariant(), "_");
        if (readable.Length > 30)
        {
            readable = readable[^30..];
        }
        var number = Interlocked.Increment(ref databaseCounter);
        // The random part keeps names unique across test processes sharing one external server.
        return $"kt_{readable}_{number}_{Guid.NewGuid().ToString("N")[..8]}";
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NotIdentifierCharacters();
}
