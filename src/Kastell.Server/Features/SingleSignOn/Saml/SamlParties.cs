using System.Security.Cryptography.X509Certificates;
using Kastell.Saml;
using Kastell.Server.Platform.Email;

namespace Kastell.Server.Features.SingleSignOn.Saml;

/// <summary>
/// The two parties of a SAML connection as <c>Kastell.Saml</c> sees them: this service provider (the entity id fixed
/// when the connection was added, the ACS URL on Kastell's configured public address — never the request's Host) and
/// the identity provider (its entity id, sign-in address and the certificates pinned from its metadata).
/// </summary>
public sealed class SamlParties(EmailLinks links)
{
    /// <summary>NameID formats Kastell asks for and declares: an e-mail address names the person best.</summary>
    public static readonly IReadOnlyList<string> NameIdFormats =
        ["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"];

    /// <summary>The entity id a new connection gets (kept in the row afterwards, so it stays when the address changes).</summary>
    public string NewEntityId(Guid organizationId, Guid connectionId) => links.To($"/sso/saml/{organizationId:N}/{connectionId:N}");

    public string AssertionConsumerUrl(SsoConnection connection) => links.To(connection.AssertionConsumerPath);

    public SamlServiceProvider ServiceProvider(SsoConnection connection) =>
        new(connection.SamlSpEntityId ?? throw new InvalidOperationException($"Connection {connection.Id} is not a SAML connection."), AssertionConsumerUrl(connection));

    public static SamlIdentityProvider IdentityProvider(SsoConnection connection) => new(
        connection.Issuer,
        [.. (connection.SamlSigningCertificates ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c)))],
        singleSignOnServiceRedirectUrl: connection.SamlSingleSignOnUrl);

    /// <summary>The service provider metadata an admin imports at the identity provider.</summary>
    public string Metadata(SsoConnection connection) => SamlMetadataWriter.WriteServiceProvider(ServiceProvider(connection), NameIdFormats);

    /// <summary>The pinned certificates as stored: base64 DER separated by spaces.</summary>
    public static string Format(IEnumerable<X509Certificate2> certificates) => string.Join(' ', certificates.Select(c => Convert.ToBase64String(c.RawData)));
}
