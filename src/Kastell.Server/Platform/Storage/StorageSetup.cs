using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Storage;

internal static class StorageSetup
{
    public static IServiceCollection AddKastellStorage(this IServiceCollection services)
    {
        services.AddSingleton<IObjectStore>(sp => new FileSystemObjectStore(
            Path.Combine(sp.GetRequiredService<IOptions<KastellOptions>>().Value.ResolveDataDirectory(), "objects")));
        services.AddScoped<SpaceFiles>();
        return services;
    }
}
