using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Kastell.Server.Platform.Data;

internal static class DatabaseRegistration
{
    /// <summary>Registers <see cref="KastellDbContext"/> for the configured provider; invalid configuration stops start-up.</summary>
    public static IServiceCollection AddKastellDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<DatabaseOptions, DatabaseOptionsValidator>(configuration, DatabaseOptions.Section);
        // The provider decides which context type is registered, so it is read now rather than from the container.
        var database = configuration.ReadKastellOptions<DatabaseOptions, DatabaseOptionsValidator>(DatabaseOptions.Section);
        services.AddScoped<TenantConnectionInterceptor>();
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                var dataDirectory = configuration.ReadKastellOptions<DataDirectoryOptions, DataDirectoryOptionsValidator>(DataDirectoryOptions.Section).ResolveDataDirectory();
                var sqlite = SqliteConnectionString(database, dataDirectory);
                services.AddScoped<IDbContextFactory<KastellDbContext>, ScopedDbContextFactory<SqliteKastellDbContext>>();
                // Created owner-only when the first context is configured, i.e. after the settings passed validation.
                var databaseFile = new Lazy<bool>(() =>
                {
                    DataDirectoryGuard.CreateDatabaseFile(sqlite);
                    return true;
                });
                services.AddDbContext<KastellDbContext, SqliteKastellDbContext>((sp, o) =>
                {
                    _ = databaseFile.Value;
                    o.UseSqlite(sqlite)
                        .ReplaceService<IStructuralTypeMaterializerSource, DecryptingMaterializerSource>()
                        .AddInterceptors(sp.GetRequiredService<FieldEncryptionInterceptor>(), sp.GetRequiredService<AuditChainSealer>(), sp.GetRequiredService<MemberEventCopies>());
                });
                break;
            case DatabaseProvider.Postgres:
                services.AddScoped<IDbContextFactory<KastellDbContext>, ScopedDbContextFactory<PostgresKastellDbContext>>();
                services.AddDbContext<KastellDbContext, PostgresKastellDbContext>((sp, o) => o
                    .UseNpgsql(PostgresConnectionString(database.ConnectionString!))
                    .ReplaceService<IStructuralTypeMaterializerSource, DecryptingMaterializerSource>()
                    .AddInterceptors(sp.GetRequiredService<TenantConnectionInterceptor>(), sp.GetRequiredService<FieldEncryptionInterceptor>(), sp.GetRequiredService<AuditChainSealer>(), sp.GetRequiredService<MemberEventCopies>()));
                break;
        }

        return services;
    }

    /// <summary>The configured SQLite connection string, or <c>kastell.db</c> in the data directory.</summary>
    public static string SqliteConnectionString(DatabaseOptions database, string dataDirectory) =>
        database.ConnectionString ?? $"Data Source={Path.Combine(dataDirectory, "kastell.db")};Foreign Keys=True;Pooling=True";

    /// <summary>
    /// The largest connection pool Kastell opens per process unless the connection string names its own
    /// <c>Maximum Pool Size</c>. Npgsql's default (100) equals PostgreSQL's default <c>max_connections</c>, so one busy
    /// process — and two during a blue-green switch for certain — could exhaust the server (error 53300) instead of
    /// queueing its requests in the pool.
    /// </summary>
    public const int DefaultMaxPoolSize = 30;

    /// <summary>The configured PostgreSQL connection string with Kastell's pool cap unless it sets one itself.</summary>
    public static string PostgresConnectionString(string configured)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(configured);
        if (!NamesMaxPoolSize(configured))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        return builder.ConnectionString;
    }

    /// <summary>Whether the connection string sets the pool's maximum under any of the names Npgsql accepts.</summary>
    private static bool NamesMaxPoolSize(string connectionString)
    {
        var keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>();
        return keys.Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase)
            || key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase));
    }

    public static bool ShouldMigrateOnStartup(this DatabaseOptions options) =>
        options.MigrateOnStartup ?? options.Provider == DatabaseProvider.Sqlite;
}
