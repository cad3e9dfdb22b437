using Npgsql;

namespace Kastell.Server.Tests.Infrastructure;

public sealed class PostgresDatabaseTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task ClassFixture_GivesThisClassADatabaseNamedAfterIt()
    {
        var expectedName = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database;
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("select current_database()", connection);

        var actualName = (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expectedName, actualName);
        Assert.StartsWith("kt_postgresdatabasetests_", actualName, StringComparison.Ordinal);
    }
}
