using System.Security.Cryptography.X509Certificates;

namespace Kastell.Saml;

/// <summary>
/// A trusted identity provider: its entity id, its sign-in endpoints and the certificates pinned for its signatures.
/// Signatures are verified only with <see cref="SigningCertificates"/>; a key or certificate carried inside a message
/// is never trusted. Usually made by <see cref="SamlMetadataReader"/>.
/// </summary>
public sealed class SamlIdentityProvider
{
    /// <summary>The smallest RSA signing key accepted.</summary>
    public const int MinimumRsaKeyBits = 2048;

    /// <summary>Creates the description and checks the pinned certificates (RSA of at least
    /// <see cref="MinimumRsaKeyBits"/> bits or ECDSA on P-256, P-384 or P-521).</summary>
    /// <param name="entityId">The IdP entity id; assertions must name it as issuer.</param>
    /// <param name="signingCertificates">The pinned signing certificates (several during a key rollover).</param>
    /// <param name="singleSignOnServiceRedirectUrl">The SSO endpoint of the HTTP-Redirect binding.</param>
    /// <param name="singleSignOnServicePostUrl">The SSO endpoint of the HTTP-POST binding.</param>
    /// <param name="nameIdFormats">The NameID formats the IdP declares.</param>
    /// <param name="wantAuthnRequestsSigned">Whether the IdP wants signed AuthnRequests.</param>
    /// <param name="validUntil">The metadata's <c>validUntil</c>, if any.</param>
    public SamlIdentityProvider(
        string entityId,
        IReadOnlyList<X509Certificate2> signingCertificates,
        string? singleSignOnServiceRedirectUrl = null,
        string? singleSignOnServicePostUrl = null,
        IReadOnlyList<string>? nameIdFormats = null,
        bool wantAuthnRequestsSigned = false,
        DateTimeOffset? validUntil = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        ArgumentNullException.ThrowIfNull(signingCertificates);
        if (signingCertificates.Count == 0)
        {
            throw new ArgumentException("An identity provider needs at least one pinned signing certificate.", nameof(signingCertificates));
        }

        foreach (var certificate in signingCertificates)
        {
            if (WeakKeyReason(certificate) is { } reason)
            {
                throw new ArgumentException(reason, nameof(signingCertificates));
            }
        }

        EntityId = entityId;
        SigningCertificates = signingCertificates;
        SingleSignOnServiceRedirectUrl = singleSignOnServiceRedirectUrl;
        SingleSignOnServicePostUrl = singleSignOnServicePostUrl;
        NameIdFormats = nameIdFormats ?? [];
        WantAuthnRequestsSigned = wantAuthnRequestsSigned;
        ValidUntil = validUntil;
    }

    /// <summary>The IdP entity id.</summary>
    public string EntityId { get; }

    /// <summary>The pinned signing certificates.</summary>
    public IReadOnlyList<X509Certificate2> SigningCertificates { get; }

    /// <summary>The SSO endpoint of the HTTP-Redirect binding, if declared.</summary>
    public string? SingleSignOnServiceRedirectUrl { get; }

    /// <summary>The SSO endpoint of the HTTP-POST binding, if declared.</summary>
    public string? SingleSignOnServicePostUrl { get; }

    /// <summary>The NameID formats the IdP declares.</summary>
    public IReadOnlyList<string> NameIdFormats { get; }

    /// <summary>Whether the IdP wants signed AuthnRequests.</summary>
    public bool WantAuthnRequestsSigned { get; }

    /// <summary>The metadata's <c>validUntil</c>, if any.</summary>
    public DateTimeOffset? ValidUntil { get; }

    /// <summary>Why a certificate's key is too weak to pin, or <see langword="null"/> when it is acceptable.</summary>
    internal static string? WeakKeyReason(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.KeySize < MinimumRsaKeyBits ? $"The RSA key has {rsa.KeySize} bits; at least {MinimumRsaKeyBits} are required." : null;
        }

        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.KeySize >= 256 ? null : $"The ECDSA key has {ecdsa.KeySize} bits; at least 256 are required.";
        }

        return "The certificate has neither an RSA nor an ECDSA key.";
    }
}
