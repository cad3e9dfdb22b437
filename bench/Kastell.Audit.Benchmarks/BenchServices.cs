using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Audit.Benchmarks;

/// <summary>Kastell's real data and audit services (the same registrations as the server), without the web host.</summary>
internal static class BenchServices
{
    public static async Task<ServiceProvider> CreateAsync(DatabaseProvider provider, string? connectionString, string dataDirectory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kastell:DataDirectory"] = dataDirectory,
            ["Kastell:Database:Provider"] = provider.ToString(),
            ["Kastell:Database:ConnectionString"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddKastellOptions<DataDirectoryOptions, DataDirectoryOptionsValidator>(configuration, DataDirectoryOptions.Section);
        services.AddScoped<Tenant>();
        services.AddScoped<Kastell.Server.Platform.Identity.CurrentActor>();
        // The server's Identity schema version shapes the model; without it EF would see pending model changes.
        services.Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3);
        services.AddKastellDatabase(configuration);
        services.AddKastellEncryption(configuration); // the database's interceptors need the key ring (a key file in the data directory)
        services.AddAudit(configuration);
        var provider_ = services.BuildServiceProvider();
        await using var scope = provider_.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<KastellDbContext>().Database.MigrateAsync();
        return provider_;
    }
}
