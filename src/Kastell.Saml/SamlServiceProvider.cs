using System.Security.Cryptography.X509Certificates;

namespace Kastell.Saml;

/// <summary>
/// This service provider as one identity provider sees it: its entity id, its assertion consumer service (ACS) URL and
/// its keys. The server makes one per SSO connection, so every organization has its own entity id and ACS URL.
/// </summary>
public sealed class SamlServiceProvider
{
    /// <summary>Creates the description and checks it: an absolute http(s) ACS URL, a non-empty entity id, private keys
    /// where they are needed.</summary>
    /// <param name="entityId">The SP entity id (the audience the assertions must name).</param>
    /// <param name="assertionConsumerServiceUrl">The HTTP-POST ACS URL; responses must name it exactly as
    /// <c>Destination</c> and <c>Recipient</c>.</param>
    /// <param name="signingCertificate">Optional certificate with an RSA or ECDSA private key that signs AuthnRequests.</param>
    /// <param name="decryptionCertificates">Certificates with RSA private keys for encrypted assertions; more than one
    /// during a key rollover.</param>
    public SamlServiceProvider(string entityId, string assertionConsumerServiceUrl, X509Certificate2? signingCertificate = null, IReadOnlyList<X509Certificate2>? decryptionCertificates = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        ArgumentException.ThrowIfNullOrWhiteSpace(assertionConsumerServiceUrl);
        if (!Uri.TryCreate(assertionConsumerServiceUrl, UriKind.Absolute, out var acs) || (acs.Scheme != Uri.UriSchemeHttps && acs.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The ACS URL must be an absolute http(s) URL.", nameof(assertionConsumerServiceUrl));
        }

        if (signingCertificate is not null && !signingCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The signing certificate needs its private key.", nameof(signingCertificate));
        }

        foreach (var certificate in decryptionCertificates ?? [])
        {
            if (!certificate.HasPrivateKey || certificate.GetRSAPublicKey() is null)
            {
                throw new ArgumentException("Decryption certificates need an RSA private key.", nameof(decryptionCertificates));
            }
        }

        EntityId = entityId;
        AssertionConsumerServiceUrl = assertionConsumerServiceUrl;
        SigningCertificate = signingCertificate;
        DecryptionCertificates = decryptionCertificates ?? [];
    }

    /// <summary>The SP entity id.</summary>
    public string EntityId { get; }

    /// <summary>The HTTP-POST assertion consumer service URL, compared ordinally with Destination and Recipient.</summary>
    public string AssertionConsumerServiceUrl { get; }

    /// <summary>The certificate that signs AuthnRequests, if any.</summary>
    public X509Certificate2? SigningCertificate { get; }

    /// <summary>The certificates whose private keys decrypt assertions.</summary>
    public IReadOnlyList<X509Certificate2> DecryptionCertificates { get; }
}
