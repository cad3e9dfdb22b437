using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Microsoft.Data.Sqlite;

namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// Before anything is opened: in the embedded mode the data folder is created owner-only, and a data folder or SQLite
/// database (with its WAL, shared-memory and journal files) others may open stops start-up; in every mode so does a
/// mail pickup folder (<c>mail-outbox/</c>) others may read, since its .eml files hold live links. The database file
/// itself is created owner-only just before its first use (<see cref="CreateDatabaseFile"/>), so a verb refused for
/// its settings leaves no database behind.
/// </summary>
internal static class DataDirectoryGuard
{
    public static void Check(IConfiguration configuration)
    {
        var database = configuration.ReadKastellOptions<DatabaseOptions, DatabaseOptionsValidator>(DatabaseOptions.Section);
        var data = configuration.ReadKastellOptions<DataDirectoryOptions, DataDirectoryOptionsValidator>(DataDirectoryOptions.Section);
        var dataDirectory = data.ResolveDataDirectory();
        var paths = new OwnerOnlyPaths();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            paths.Directory(dataDirectory);
            if (DatabaseFile(DatabaseRegistration.SqliteConnectionString(database, dataDirectory)) is { } file)
            {
                paths.FileIfPresent(file).FileIfPresent(file + "-wal").FileIfPresent(file + "-shm").FileIfPresent(file + "-journal");
            }
        }

        paths.TreeIfPresent(OutboxEmailSender.OutboxDirectory(data));
        paths.ThrowIfAnyIsShared();
    }

    /// <summary>
    /// Creates the SQLite database file empty and owner-only if it is missing: SQLite takes the empty file as a new
    /// database and gives its WAL and shared-memory files the file's mode, whatever the umask.
    /// </summary>
    public static void CreateDatabaseFile(string connectionString)
    {
        if (DatabaseFile(connectionString) is { } file)
        {
            new OwnerOnlyPaths().File(file).ThrowIfAnyIsShared();
        }
    }

    /// <summary>The database file a SQLite connection string names; null for an in-memory database or a URI.</summary>
    private static string? DatabaseFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(source) || source == ":memory:"
            || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || source.Contains("|DataDirectory|", StringComparison.Ordinal))
        {
            return null;
        }

        var file = Path.GetFullPath(source);
        // A folder that does not exist is SQLite's error to report, with its own message.
        return System.IO.Directory.Exists(Path.GetDirectoryName(file)) ? file : null;
    }
}
