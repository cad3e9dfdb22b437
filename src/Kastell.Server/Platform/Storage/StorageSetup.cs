using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Storage;

internal static class StorageSetup
{
    public static IServiceCollection AddKastellStorage(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<KastellOptions>, StorageOptionsValidation>();
        services.AddSingleton<IObjectStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KastellOptions>>().Value;
            var data = options.ResolveDataDirectory();
            return options.Storage.Backend switch
            {
                StorageBackend.S3 => new S3ObjectStore(options.Storage.S3, Path.Combine(data, "objects-spool")),
                _ => new FileSystemObjectStore(Path.Combine(data, "objects")),
            };
        });
        services.AddScoped<SpaceFiles>();
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<KastellOptions>>().Value.Storage;
            return new ClamdScanner(storage.Clamd, storage.ScanTimeout);
        });
        services.AddScoped<Uploads>();
        services.AddSingleton<QuarantineRescanner>();
        services.AddHostedService(sp => sp.GetRequiredService<QuarantineRescanner>());
        return services;
    }
}

internal sealed class StorageOptionsValidation : IValidateOptions<KastellOptions>
{
    public ValidateOptionsResult Validate(string? name, KastellOptions options) =>
        options.Storage.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
