using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Platform.Siem;

internal static class SiemSetup
{
    public static IServiceCollection AddKastellSiem(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<SiemOptions, SiemOptionsValidator>(configuration, SiemOptions.Section);
        // Whether the forwarder runs at all is decided here, before the container exists.
        var siem = configuration.ReadKastellOptions<SiemOptions, SiemOptionsValidator>(SiemOptions.Section);
        if (!siem.Enabled)
        {
            return services;
        }

        services.AddSingleton(SiemTrust.Load(siem));
        services.AddHostedService<SiemForwarder>();
        return services;
    }
}
