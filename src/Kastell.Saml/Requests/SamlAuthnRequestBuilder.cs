using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;

namespace Kastell.Saml;

/// <summary>Choices for one AuthnRequest.</summary>
public sealed class SamlAuthnRequestOptions
{
    /// <summary>The RelayState to send along (at most 80 bytes, SAML bindings 3.4.3). The caller must bind it to the
    /// browser session and never use it as a redirect target without checking.</summary>
    public string? RelayState { get; init; }

    /// <summary>Ask the IdP to authenticate the user again even with a session.</summary>
    public bool ForceAuthn { get; init; }

    /// <summary>The NameID format to ask for, if any.</summary>
    public string? NameIdFormat { get; init; }
}

/// <summary>An AuthnRequest ready to send: the browser is redirected to <see cref="Url"/>; the caller stores
/// <see cref="RequestId"/> with the browser session and passes it to the validator as an outstanding id.</summary>
/// <param name="RequestId">The request's ID, which the response must answer in InResponseTo.</param>
/// <param name="Url">The IdP's SSO URL with SAMLRequest, RelayState and, when signed, SigAlg and Signature.</param>
/// <param name="IssueInstant">When the request was made.</param>
public sealed record SamlRedirectRequest(string RequestId, string Url, DateTimeOffset IssueInstant);

/// <summary>
/// Builds SP-initiated AuthnRequests for the HTTP-Redirect binding (SAML bindings 3.4): the XML is DEFLATE-compressed,
/// base64- and URL-encoded. When the service provider has a signing certificate, the query string is signed as the
/// binding specifies (over <c>SAMLRequest=…&amp;RelayState=…&amp;SigAlg=…</c> exactly as sent), with RSA-SHA256 or
/// ECDSA-SHA256. The request id is 128 random bits, so it cannot be guessed to forge an InResponseTo.
/// </summary>
public static class SamlAuthnRequestBuilder
{
    /// <summary>Creates the redirect. Throws when the IdP has no HTTP-Redirect endpoint or wants signed requests and
    /// the SP has no signing certificate (configuration errors).</summary>
    /// <param name="serviceProvider">The service provider.</param>
    /// <param name="identityProvider">The identity provider.</param>
    /// <param name="timeProvider">The clock for IssueInstant.</param>
    /// <param name="options">RelayState, ForceAuthn, NameID format.</param>
    public static SamlRedirectRequest CreateRedirect(SamlServiceProvider serviceProvider, SamlIdentityProvider identityProvider, TimeProvider timeProvider, SamlAuthnRequestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serviceProvider);
        ArgumentNullException.ThrowIfNull(identityProvider);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new SamlAuthnRequestOptions();
        var destination = identityProvider.SingleSignOnServiceRedirectUrl
            ?? throw new InvalidOperationException($"The identity provider {identityProvider.EntityId} has no HTTP-Redirect SingleSignOnService.");
        if (identityProvider.WantAuthnRequestsSigned && serviceProvider.SigningCertificate is null)
        {
            throw new InvalidOperationException($"The identity provider {identityProvider.EntityId} wants signed requests and the service provider has no signing certificate.");
        }

        if (options.RelayState is { } relayState && Encoding.UTF8.GetByteCount(relayState) > 80)
        {
            throw new ArgumentException("RelayState must not exceed 80 bytes (SAML bindings 3.4.3).", nameof(options));
        }

        var id = "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var issueInstant = timeProvider.GetUtcNow();
        var xml = RequestXml(serviceProvider, destination, id, issueInstant, options);

        var query = new StringBuilder("SAMLRequest=").Append(Uri.EscapeDataString(Convert.ToBase64String(Deflate(xml))));
        if (options.RelayState is not null)
        {
            query.Append("&RelayState=").Append(Uri.EscapeDataString(options.RelayState));
        }

        if (serviceProvider.SigningCertificate is { } certificate)
        {
            var signed = Sign(certificate, query);
            query.Append("&Signature=").Append(Uri.EscapeDataString(signed));
        }

        var separator = destination.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new SamlRedirectRequest(id, destination + separator + query, issueInstant);
    }

    private static string RequestXml(SamlServiceProvider serviceProvider, string destination, string id, DateTimeOffset issueInstant, SamlAuthnRequestOptions options)
    {
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(builder, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            writer.WriteStartElement("samlp", "AuthnRequest", SamlNames.Protocol);
            writer.WriteAttributeString("xmlns", "saml", null, SamlNames.Assertion);
            writer.WriteAttributeString("ID", id);
            writer.WriteAttributeString("Version", "2.0");
            writer.WriteAttributeString("IssueInstant", issueInstant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteAttributeString("Destination", destination);
            writer.WriteAttributeString("AssertionConsumerServiceURL", serviceProvider.AssertionConsumerServiceUrl);
            writer.WriteAttributeString("ProtocolBinding", SamlNames.HttpPostBinding);
            if (options.ForceAuthn)
            {
                writer.WriteAttributeString("ForceAuthn", "true");
            }

            writer.WriteElementString("saml", "Issuer", SamlNames.Assertion, serviceProvider.EntityId);
            writer.WriteStartElement("samlp", "NameIDPolicy", SamlNames.Protocol);
            if (options.NameIdFormat is not null)
            {
                writer.WriteAttributeString("Format", options.NameIdFormat);
            }

            writer.WriteAttributeString("AllowCreate", "true");
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        return builder.ToString();
    }

    private static byte[] Deflate(string xml)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(xml));
        }

        return output.ToArray();
    }

    /// <summary>Appends SigAlg and returns the base64 signature over the query as it stands.</summary>
    private static string Sign(X509Certificate2 certificate, StringBuilder query)
    {
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is not null)
        {
            query.Append("&SigAlg=").Append(Uri.EscapeDataString(SamlNames.RsaSha256));
            return Convert.ToBase64String(rsa.SignData(Encoding.UTF8.GetBytes(query.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        using var ecdsa = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The signing certificate has neither an RSA nor an ECDSA private key.");
        query.Append("&SigAlg=").Append(Uri.EscapeDataString(SamlNames.EcdsaSha256));
        return Convert.ToBase64String(ecdsa.SignData(Encoding.UTF8.GetBytes(query.ToString()), HashAlgorithmName.SHA256));
    }
}
