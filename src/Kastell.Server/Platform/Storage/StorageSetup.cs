using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Storage;

internal static class StorageSetup
{
    public static IServiceCollection AddKastellStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.Section);
        services.AddSingleton<IObjectStore>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var data = sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value.ResolveDataDirectory();
            return storage.Backend switch
            {
                StorageBackend.S3 => new S3ObjectStore(storage.S3, Path.Combine(data, "objects-spool")),
                _ => new FileSystemObjectStore(Path.Combine(data, "objects")),
            };
        });
        services.AddScoped<SpaceFiles>();
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new ClamdScanner(storage.Clamd, storage.ScanTimeout);
        });
        services.AddSingleton<ScannerStatus>();
        services.AddHostedService<ScannerStartupCheck>();
        services.AddHealthChecks().AddCheck<ScannerHealthCheck>(ScannerHealthCheck.Name, HealthStatus.Degraded, tags: ["ready"]);
        services.AddScoped<Uploads>();
        services.AddSingleton<QuarantineRescanner>();
        services.AddHostedService(sp => sp.GetRequiredService<QuarantineRescanner>());
        return services;
    }
}
