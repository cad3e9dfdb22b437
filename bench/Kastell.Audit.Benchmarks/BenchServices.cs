using Kastell.Server.Platform;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kastell.Audit.Benchmarks;

/// <summary>Kastell's real data and audit services (the same registrations as the server), without the web host.</summary>
internal static class BenchServices
{
    public static async Task<ServiceProvider> CreateAsync(DatabaseProvider provider, string? connectionString, string dataDirectory)
    {
        var options = new KastellOptions { DataDirectory = dataDirectory };
        options.Database.Provider = provider;
        options.Database.ConnectionString = connectionString;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IOptions<KastellOptions>>(Options.Create(options));
        services.AddScoped<Tenant>();
        // The server's Identity schema version shapes the model; without it EF would see pending model changes.
        services.Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3);
        services.AddKastellDatabase(options);
        services.AddKastellEncryption(); // the database's interceptors need the key ring (a key file in the data directory)
        services.AddAudit();
        var provider_ = services.BuildServiceProvider();
        await using var scope = provider_.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<KastellDbContext>().Database.MigrateAsync();
        return provider_;
    }
}
