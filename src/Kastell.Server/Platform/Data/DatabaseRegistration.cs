using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Encryption;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kastell.Server.Platform.Data;

internal static class DatabaseRegistration
{
    /// <summary>Registers <see cref="KastellDbContext"/> for the configured provider; invalid configuration stops start-up.</summary>
    public static IServiceCollection AddKastellDatabase(this IServiceCollection services, KastellOptions options)
    {
        services.AddScoped<TenantConnectionInterceptor>();
        switch (options.Database.Provider)
        {
            case DatabaseProvider.Sqlite:
                var dataDirectory = options.ResolveDataDirectory();
                Directory.CreateDirectory(dataDirectory);
                var sqlite = options.Database.ConnectionString
                    ?? $"Data Source={Path.Combine(dataDirectory, "kastell.db")};Foreign Keys=True;Pooling=True";
                services.AddDbContext<KastellDbContext, SqliteKastellDbContext>((sp, o) => o
                    .UseSqlite(sqlite)
                    .AddInterceptors(sp.GetRequiredService<FieldEncryptionInterceptor>(), FieldDecryptionInterceptor.Instance, sp.GetRequiredService<AuditChainSealer>()));
                break;
            case DatabaseProvider.Postgres:
                var postgres = options.Database.ConnectionString;
                if (string.IsNullOrWhiteSpace(postgres))
                {
                    throw new InvalidOperationException(
                        "Kastell:Database:Provider is Postgres but Kastell:Database:ConnectionString is empty.");
                }

                _ = new NpgsqlConnectionStringBuilder(postgres); // malformed strings fail here, at start-up
                services.AddDbContext<KastellDbContext, PostgresKastellDbContext>((sp, o) => o
                    .UseNpgsql(postgres)
                    .AddInterceptors(sp.GetRequiredService<TenantConnectionInterceptor>(), sp.GetRequiredService<FieldEncryptionInterceptor>(), FieldDecryptionInterceptor.Instance, sp.GetRequiredService<AuditChainSealer>()));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{options.Database.Provider}'.");
        }

        return services;
    }

    public static bool ShouldMigrateOnStartup(this DatabaseOptions options) =>
        options.MigrateOnStartup ?? options.Provider == DatabaseProvider.Sqlite;
}
