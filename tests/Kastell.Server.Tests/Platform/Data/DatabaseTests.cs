using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kastell.Server.Tests.Platform.Data;

/// <summary>Migrations and the database-level guarantees, per provider.</summary>
public abstract class DatabaseTests(KastellHost host)
{
    [Fact]
    public async Task Model_HasNoChangesMissingFromTheMigrations()
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(db.Database.HasPendingModelChanges(), $"The {host.Provider} model has changes without a migration: run dotnet ef migrations add.");
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        }
    }
}

public sealed class DatabaseTestsOnSqlite(SqliteHost host) : DatabaseTests(host), IClassFixture<SqliteHost>;

public sealed class DatabaseTestsOnPostgres(PostgresHost host) : DatabaseTests(host), IClassFixture<PostgresHost>
{
    private readonly PostgresHost _host = host;

    [Fact]
    public async Task EveryTenantTable_HasForcedRowLevelSecurityWithAPolicy()
    {
        _ = _host.Services; // starts the host, which migrates
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE a.attname = 'OrganizationId' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
            """, connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var table = reader.GetString(0);
            tables.Add(table);
            Assert.True(reader.GetBoolean(1), $"{table}: row-level security is not enabled");
            Assert.True(reader.GetBoolean(2), $"{table}: row-level security is not forced");
            Assert.True(reader.GetInt64(3) > 0, $"{table}: no policy");
        }

        Assert.Contains("Spaces", tables);
        Assert.Contains("OrganizationMembers", tables);
    }

    [Fact]
    public async Task RowLevelSecurity_HidesOtherTenantsRows_WithoutAnyQueryFilter()
    {
        using var browser = _host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await TenancyTests.CreateSpaceAsync(browser, user.OrganizationSlug, "Walled");

        await using var connection = await OpenAsync();
        Assert.Equal(0L, await CountSpacesAsync(connection, organizationId: Guid.NewGuid().ToString()));
        Assert.Equal(0L, await CountSpacesAsync(connection, organizationId: ""));
        var orgId = await new NpgsqlCommand($"SELECT \"Id\"::text FROM \"Organizations\" WHERE \"Slug\" = '{user.OrganizationSlug}'", connection)
            .ExecuteScalarAsync(TestContext.Current.CancellationToken) as string;
        Assert.Equal(1L, await CountSpacesAsync(connection, orgId!));

        // Writing a row for another tenant is refused by the policy's WITH CHECK.
        await new NpgsqlCommand($"SELECT set_config('kastell.organization_id', '{Guid.NewGuid()}', false)", connection).ExecuteScalarAsync(TestContext.Current.CancellationToken);
        var insert = new NpgsqlCommand(
            $"INSERT INTO \"Spaces\" (\"Id\", \"OrganizationId\", \"Slug\", \"Name\", \"CreatedAt\") VALUES ('{Guid.NewGuid()}', '{orgId}', 'x', 'x', now())", connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        Assert.Equal("42501", error.SqlState); // insufficient_privilege: new row violates row-level security policy
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_host.ApplicationConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<long> CountSpacesAsync(NpgsqlConnection connection, string organizationId)
    {
        await new NpgsqlCommand($"SELECT set_config('kastell.organization_id', '{organizationId}', false)", connection).ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return (long)(await new NpgsqlCommand("SELECT count(*) FROM \"Spaces\"", connection).ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
