using Kastell.Server.Platform.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Encryption;

internal static class EncryptionSetup
{
    public static IServiceCollection AddKastellEncryption(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<KeyOptions, KeyOptionsValidator>(configuration, KeyOptions.Section);
        services.AddSingleton<IKeyEncryptionKeyProvider>(sp =>
        {
            var keys = sp.GetRequiredService<IOptions<KeyOptions>>().Value;
            return keys.Provider switch
            {
                KeyProviderKind.Pkcs11 => new Pkcs11KeyProvider(keys.Pkcs11),
                _ => new FileKeyProvider(Path.Combine(sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value.ResolveDataDirectory(), "keys")),
            };
        });
        services.AddHostedService<KeyProviderStartupCheck>();
        services.AddSingleton<DataKeyRing>();
        services.AddSingleton<FieldEncryptionInterceptor>();
        services.AddSingleton<KekRotation>();
        services.AddSingleton<DataKeyReencryptionSignal>();
        services.AddSingleton<DataKeyRotation>();
        services.AddSingleton<DataKeyReencryption>();
        services.AddHostedService<DataKeyReencryptionWorker>();

        services.AddDataProtection().SetApplicationName("Kastell");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IServiceScopeFactory>());
            o.XmlEncryptor = new KekXmlEncryptor(sp.GetRequiredService<IKeyEncryptionKeyProvider>());
        }));
        return services;
    }
}

/// <summary>Opens the KEK provider at start-up, so a missing, exposed or unreachable key stops Kastell before it serves.</summary>
internal sealed class KeyProviderStartupCheck(IKeyEncryptionKeyProvider kek) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = kek.CurrentVersion();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
