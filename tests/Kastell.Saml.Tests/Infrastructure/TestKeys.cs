using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kastell.Saml.Tests.Infrastructure;

/// <summary>
/// Key pairs made in code for one test process: the identity provider's (pinned), a second one for key rollover, an
/// attacker's (never pinned), an ECDSA one, and the service provider's signing and encryption keys.
/// </summary>
public sealed class TestKeys
{
    public static TestKeys Shared { get; } = new();

    public X509Certificate2 Idp { get; } = Rsa("CN=Test IdP");

    public X509Certificate2 IdpNext { get; } = Rsa("CN=Test IdP next");

    public X509Certificate2 Attacker { get; } = Rsa("CN=Test IdP");

    public X509Certificate2 IdpEcdsa { get; } = Ecdsa("CN=Test IdP ECDSA");

    public X509Certificate2 SpSigning { get; } = Rsa("CN=Test SP signing");

    public X509Certificate2 SpEncryption { get; } = Rsa("CN=Test SP encryption");

    public X509Certificate2 OtherSpEncryption { get; } = Rsa("CN=Another SP encryption");

    public static X509Certificate2 Rsa(string subject, int bits = 2048)
    {
        using var key = RSA.Create(bits);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public static X509Certificate2 Ecdsa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>Writes a certificate with its private key as PEM (for the fuzz harness, which runs in another process).</summary>
    public static string ToPem(X509Certificate2 certificate)
    {
        var key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()!;
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    public static X509Certificate2 FromPem(string pem) => X509Certificate2.CreateFromPem(pem, pem);
}
