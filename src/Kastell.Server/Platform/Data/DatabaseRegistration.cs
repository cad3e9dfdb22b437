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
                    .UseNpgsql(database.ConnectionString)
                    .ReplaceService<IStructuralTypeMaterializerSource, DecryptingMaterializerSource>()
                    .AddInterceptors(sp.GetRequiredService<TenantConnectionInterceptor>(), sp.GetRequiredService<FieldEncryptionInterceptor>(), sp.GetRequiredService<AuditChainSealer>(), sp.GetRequiredService<MemberEventCopies>()));
                break;
        }

        return services;
    }

    /// <summary>The configured SQLite connection string, or <c>kastell.db</c> in the data directory.</summary>
    public static string SqliteConnectionString(DatabaseOptions database, string dataDirectory) =>
        database.ConnectionString ?? $"Data Source={Path.Combine(dataDirectory, "kastell.db")};Foreign Keys=True;Pooling=True";

    public static bool ShouldMigrateOnStartup(this DatabaseOptions options) =>
        options.MigrateOnStartup ?? options.Provider == DatabaseProvider.Sqlite;
}
