using Npgsql;

namespace Kastell.Server.Tests.Infrastructure;

public sealed class PostgresClusterTests(PostgresCluster cluster)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateDatabaseAsync_TwiceGivesTwoSeparateDatabases()
    {
        var first = await cluster.CreateDatabaseAsync("isolation", Cancellation);
        var second = await cluster.CreateDatabaseAsync("isolation", Cancellation);
        var firstName = new NpgsqlConnectionStringBuilder(first).Database;
        var secondName = new NpgsqlConnectionStringBuilder(second).Database;

        Assert.NotEqual(firstName, secondName);
        Assert.Equal(firstName, await ScalarAsync<string>(first, "select current_database()"));
        Assert.Equal(secondName, await ScalarAsync<string>(second, "select current_database()"));

        await ScalarAsync<int>(first, "create table marker (id int); insert into marker values (42); select 1");
        Assert.Equal(42, await ScalarAsync<int>(first, "select id from marker"));
        Assert.True(await ScalarAsync<bool>(second, "select to_regclass('marker') is null"));
    }

    [Fact]
    public async Task LocalCluster_AcceptsOnlyItsPasswordOnLoopback_AndSkipsDurabilityForSpeed()
    {
        Assert.SkipWhen(PostgresCluster.IsExternal, "An external server from KASTELL_TEST_POSTGRES has its own settings.");
        var connectionString = await cluster.CreateDatabaseAsync("settings", Cancellation);

        Assert.Equal("127.0.0.1/32", await ScalarAsync<string>(connectionString, "select inet_server_addr()::text"));
        Assert.Equal("off", await ScalarAsync<string>(connectionString, "show fsync"));
        Assert.Equal("UTF8", await ScalarAsync<string>(connectionString, "show server_encoding"));

        var wrongPassword = new NpgsqlConnectionStringBuilder(connectionString) { Password = "not-the-password" };
        var refusal = await Assert.ThrowsAsync<PostgresException>(
            () => ScalarAsync<int>(wrongPassword.ConnectionString, "select 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refusal.SqlState);
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        // No pooling: each check proves a fresh login works, and the wrong-password test must really log in.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(unpooled.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Cancellation))!;
    }
}
