using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Kastell.Server.Platform.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary><c>Kastell:Database</c>: which database Kastell uses. Read before the container is built (it decides the context type).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Kastell:Database";

    [OptionEnum]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for PostgreSQL; for SQLite it defaults to <c>kastell.db</c> in the data directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply migrations at start-up. Default: on for SQLite (zero set-up), off for PostgreSQL (run <c>migrate</c>).</summary>
    public bool? MigrateOnStartup { get; set; }
}

/// <summary>
/// A PostgreSQL connection string must be present and well-formed. Its value is never part of a message: it usually
/// carries the password.
/// </summary>
[OptionsValidator]
internal sealed partial class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>, IOptionsRules<DatabaseOptions>
{
    public IEnumerable<string> Problems(DatabaseOptions options)
    {
        if (options.Provider != DatabaseProvider.Postgres)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            yield return "Kastell:Database:ConnectionString is required when Kastell:Database:Provider is Postgres.";
        }
        else if (!IsWellFormed(options.ConnectionString))
        {
            yield return "Kastell:Database:ConnectionString is not a valid PostgreSQL connection string (the value is not shown: it may hold a password).";
        }
    }

    private static bool IsWellFormed(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The exception's message may quote part of the value, so it is not passed on.
            return false;
        }
    }
}
