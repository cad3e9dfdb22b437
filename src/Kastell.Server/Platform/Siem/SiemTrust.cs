using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kastell.Server.Platform.Siem;

/// <summary>
/// Decides whether the receiver's certificate is acceptable: a valid chain (to the configured CA only, when one is
/// configured, else to the system store), the configured host name, and, when pins are set, a pinned public key.
/// Loaded once at start-up, so a missing or broken file stops Kastell instead of silently disabling TLS checks.
/// </summary>
public sealed class SiemTrust
{
    private readonly X509Certificate2Collection? _roots;
    private readonly HashSet<string> _pins;

    private SiemTrust(X509Certificate2Collection? roots, HashSet<string> pins, X509Certificate2? clientCertificate)
    {
        _roots = roots;
        _pins = pins;
        ClientCertificate = clientCertificate;
    }

    public X509Certificate2? ClientCertificate { get; }

    public static SiemTrust Load(SiemOptions options)
    {
        X509Certificate2Collection? roots = null;
        if (!string.IsNullOrWhiteSpace(options.CaCertificateFile))
        {
            roots = [];
            roots.ImportFromPemFile(options.CaCertificateFile);
            if (roots.Count == 0)
            {
                throw new InvalidOperationException("Kastell:Siem:CaCertificateFile holds no PEM certificate.");
            }
        }

        X509Certificate2? client = null;
        if (!string.IsNullOrWhiteSpace(options.ClientCertificateFile))
        {
            client = X509Certificate2.CreateFromPemFile(options.ClientCertificateFile, options.ClientKeyFile);
        }

        return new SiemTrust(roots, ParsePins(options.PinnedPublicKeySha256), client);
    }

    /// <summary>Hex SHA-256 values separated by commas; colons and case are ignored.</summary>
    public static HashSet<string> ParsePins(string? pins) =>
        (pins ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);

    public static string PublicKeyPin(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    public bool Accept(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var certificate = new X509Certificate2(presented);
        if (_roots is null)
        {
            if (errors != SslPolicyErrors.None)
            {
                return false;
            }
        }
        else if (!ChainsToConfiguredRoots(certificate, presentedChain))
        {
            return false;
        }

        return _pins.Count == 0 || _pins.Contains(PublicKeyPin(certificate));
    }

    private bool ChainsToConfiguredRoots(X509Certificate2 certificate, X509Chain? presentedChain)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots!);
        // A private SIEM CA rarely publishes revocation lists; the pin is the stronger control for key compromise.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // As the default validation does: the receiver's certificate must be fit for TLS server authentication.
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }
}
