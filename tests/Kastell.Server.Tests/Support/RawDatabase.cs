using System.Data.Common;

namespace Kastell.Server.Tests.Support;

/// <summary>Plain SQL on a host's database, past EF and its interceptors: what an attacker with a dump would see.</summary>
public static class RawDatabase
{
    public static async Task<DbConnection> OpenAsync(KastellHost host)
    {
        _ = host.Services; // started and migrated
        DbConnection connection = host is PostgresHost postgres
            ? new Npgsql.NpgsqlConnection(postgres.ApplicationConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "kastell.db")}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    public static async Task<List<string?>> ColumnAsync(KastellHost host, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(host);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<string?>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(reader.IsDBNull(0) ? null : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }

    /// <summary>As <see cref="ColumnAsync"/>, inside one organization (PostgreSQL's row-level security shows only its rows).</summary>
    public static async Task<List<string?>> TenantColumnAsync(KastellHost host, Guid organizationId, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(host);
        if (host is PostgresHost)
        {
            await using var enter = Command(connection, "SELECT set_config('kastell.organization_id', @org, false)", [("org", organizationId.ToString())]);
            await enter.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<string?>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(reader.IsDBNull(0) ? null : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }

    public static async Task<int> ExecuteAsync(KastellHost host, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(host);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>As <see cref="ExecuteAsync"/>, inside one organization (PostgreSQL's row-level security lets it touch only its rows).</summary>
    public static async Task<int> TenantExecuteAsync(KastellHost host, Guid organizationId, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(host);
        if (host is PostgresHost)
        {
            await using var enter = Command(connection, "SELECT set_config('kastell.organization_id', @org, false)", [("org", organizationId.ToString())]);
            await enter.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
