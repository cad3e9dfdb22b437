using System.Security.Cryptography;

namespace Kastell.Server.Platform.Siem;

internal static class SiemSetup
{
    public static IServiceCollection AddKastellSiem(this IServiceCollection services, KastellOptions options)
    {
        var siem = options.Siem;
        if (!siem.Enabled)
        {
            return services;
        }

        var problems = Validate(siem).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid SIEM configuration: " + string.Join(" ", problems));
        }

        services.AddSingleton(SiemTrust.Load(siem));
        services.AddHostedService<SiemForwarder>();
        return services;
    }

    /// <summary>Everything that can be checked without connecting; a mistake stops start-up rather than losing events quietly.</summary>
    public static IEnumerable<string> Validate(SiemOptions siem)
    {
        if (string.IsNullOrWhiteSpace(siem.Host) || Uri.CheckHostName(siem.Host) == UriHostNameType.Unknown)
        {
            yield return "Kastell:Siem:Host must be a host name or IP address.";
        }

        if (siem.Port is < 1 or > 65535)
        {
            yield return "Kastell:Siem:Port must be between 1 and 65535.";
        }

        if (!Enum.IsDefined(siem.Format))
        {
            yield return "Kastell:Siem:Format must be Json or Cef.";
        }

        if (siem.BatchSize is < 1 or > 10_000)
        {
            yield return "Kastell:Siem:BatchSize must be between 1 and 10000.";
        }

        if (siem.PollInterval < TimeSpan.FromMilliseconds(10) || siem.PollInterval > TimeSpan.FromHours(1))
        {
            yield return "Kastell:Siem:PollInterval must be between 10 ms and 1 hour.";
        }

        if (siem.MaxRetryDelay < TimeSpan.FromSeconds(1) || siem.MaxRetryDelay > TimeSpan.FromHours(1))
        {
            yield return "Kastell:Siem:MaxRetryDelay must be between 1 second and 1 hour.";
        }

        if (SiemTrust.ParsePins(siem.PinnedPublicKeySha256).Any(p => p.Length != 64 || !p.All(Uri.IsHexDigit)))
        {
            yield return "Kastell:Siem:PinnedPublicKeySha256 must be SHA-256 values in hex (64 digits), separated by commas.";
        }

        if (!string.IsNullOrWhiteSpace(siem.ClientCertificateFile) != !string.IsNullOrWhiteSpace(siem.ClientKeyFile))
        {
            yield return "Kastell:Siem:ClientCertificateFile and ClientKeyFile go together.";
        }

        string? loadError = null;
        try
        {
            SiemTrust.Load(siem);
        }
        catch (Exception exception) when (exception is IOException or CryptographicException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            loadError = "Kastell:Siem certificate files could not be loaded: " + exception.Message;
        }

        if (loadError is not null)
        {
            yield return loadError;
        }
    }
}
