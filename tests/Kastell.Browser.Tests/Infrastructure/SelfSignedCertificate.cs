using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kastell.Browser.Tests.Infrastructure;

/// <summary>
/// A throwaway TLS certificate for 127.0.0.1, written as a password-protected PFX for Kestrel. Kastell needs HTTPS even
/// in tests: its antiforgery and session cookies are Secure-only, and the server refuses to issue them over plain HTTP.
/// </summary>
internal sealed class SelfSignedCertificate
{
    private SelfSignedCertificate(string pfxPath, string password, string thumbprint, string spkiSha256)
    {
        PfxPath = pfxPath;
        Password = password;
        Thumbprint = thumbprint;
        SpkiSha256 = spkiSha256;
    }

    public string PfxPath { get; }

    public string Password { get; }

    /// <summary>SHA-1 thumbprint, so the test's own HTTP client trusts exactly this certificate and nothing else.</summary>
    public string Thumbprint { get; }

    /// <summary>Base64 SHA-256 of the public key, the form Chromium's --ignore-certificate-errors-spki-list takes.</summary>
    public string SpkiSha256 { get; }

    public static SelfSignedCertificate CreateIn(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var path = Path.Combine(directory, "tls.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        var spki = Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        return new SelfSignedCertificate(path, password, certificate.Thumbprint, spki);
    }
}
