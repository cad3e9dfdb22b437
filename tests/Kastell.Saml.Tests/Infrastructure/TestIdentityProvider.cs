using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;

namespace Kastell.Saml.Tests.Infrastructure;

/// <summary>What a response says; each test changes what it attacks.</summary>
public sealed record ResponseSpec
{
    public const string SpEntityId = "https://kastell.test/saml/acme";
    public const string AcsUrl = "https://kastell.test/saml/acme/acs";
    public const string IdpEntityId = "https://idp.test/metadata";
    public const string RequestId = "_request-0001";

    public static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public string ResponseId { get; init; } = "_response-" + Guid.NewGuid().ToString("N");
    public string AssertionId { get; init; } = "_assertion-" + Guid.NewGuid().ToString("N");
    public string? Destination { get; init; } = AcsUrl;
    public string? ResponseInResponseTo { get; init; } = RequestId;
    public string? ConfirmationInResponseTo { get; init; } = RequestId;
    public string? ResponseIssuer { get; init; } = IdpEntityId;
    public string AssertionIssuer { get; init; } = IdpEntityId;
    public string Status { get; init; } = "urn:oasis:names:tc:SAML:2.0:status:Success";
    public string NameId { get; init; } = "alice@example.com";
    public string Audience { get; init; } = SpEntityId;
    public string Recipient { get; init; } = AcsUrl;
    public DateTimeOffset IssueInstant { get; init; } = Now;
    public DateTimeOffset NotBefore { get; init; } = Now.AddMinutes(-1);
    public DateTimeOffset NotOnOrAfter { get; init; } = Now.AddMinutes(5);
    public DateTimeOffset ConfirmationNotOnOrAfter { get; init; } = Now.AddMinutes(5);
    public DateTimeOffset? SessionNotOnOrAfter { get; init; } = Now.AddHours(8);
    public string AuthnContextClassRef { get; init; } = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    public bool IncludeAuthnStatement { get; init; } = true;
    public string ExtraConditions { get; init; } = "";
    public bool DeclareSamlNamespaceOnAssertion { get; init; } = true;
}

/// <summary>
/// A small identity provider inside the tests: builds responses from a <see cref="ResponseSpec"/>, signs them with
/// <see cref="SignedXml"/> and encrypts assertions (AES-GCM by hand, AES-CBC with the framework's
/// <see cref="EncryptedXml"/>, an independent implementation). Attack tests then edit the DOM as an attacker would.
/// </summary>
public static class TestIdentityProvider
{
    public const string Saml = "urn:oasis:names:tc:SAML:2.0:assertion";
    public const string Samlp = "urn:oasis:names:tc:SAML:2.0:protocol";
    public const string Ds = "http://www.w3.org/2000/09/xmldsig#";

    public static XmlDocument Build(ResponseSpec spec)
    {
        static string T(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        static string E(string value) => System.Security.SecurityElement.Escape(value);
        var response = new StringBuilder();
        response.Append(CultureInfo.InvariantCulture, $"<samlp:Response xmlns:samlp=\"{Samlp}\" xmlns:saml=\"{Saml}\" ID=\"{spec.ResponseId}\" Version=\"2.0\" IssueInstant=\"{T(spec.IssueInstant)}\"");
        if (spec.Destination is not null)
        {
            response.Append(CultureInfo.InvariantCulture, $" Destination=\"{E(spec.Destination)}\"");
        }

        if (spec.ResponseInResponseTo is not null)
        {
            response.Append(CultureInfo.InvariantCulture, $" InResponseTo=\"{E(spec.ResponseInResponseTo)}\"");
        }

        response.Append('>');
        if (spec.ResponseIssuer is not null)
        {
            response.Append(CultureInfo.InvariantCulture, $"<saml:Issuer>{E(spec.ResponseIssuer)}</saml:Issuer>");
        }

        response.Append(CultureInfo.InvariantCulture, $"<samlp:Status><samlp:StatusCode Value=\"{E(spec.Status)}\"/></samlp:Status>");
        response.Append(AssertionXml(spec));
        response.Append("</samlp:Response>");
        return Load(response.ToString());
    }

    public static string AssertionXml(ResponseSpec spec)
    {
        static string T(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        static string E(string value) => System.Security.SecurityElement.Escape(value);
        var confirmationInResponseTo = spec.ConfirmationInResponseTo is null ? "" : $" InResponseTo=\"{E(spec.ConfirmationInResponseTo)}\"";
        var declaration = spec.DeclareSamlNamespaceOnAssertion ? $" xmlns:saml=\"{Saml}\"" : "";
        var session = spec.SessionNotOnOrAfter is { } end ? $" SessionNotOnOrAfter=\"{T(end)}\"" : "";
        var authn = spec.IncludeAuthnStatement
            ? $"<saml:AuthnStatement AuthnInstant=\"{T(spec.IssueInstant.AddSeconds(-10))}\" SessionIndex=\"_session-1\"{session}><saml:AuthnContext><saml:AuthnContextClassRef>{E(spec.AuthnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            : "";
        return $"""
            <saml:Assertion{declaration} ID="{spec.AssertionId}" Version="2.0" IssueInstant="{T(spec.IssueInstant)}">
              <saml:Issuer>{E(spec.AssertionIssuer)}</saml:Issuer>
              <saml:Subject>
                <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{E(spec.NameId)}</saml:NameID>
                <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
                  <saml:SubjectConfirmationData NotOnOrAfter="{T(spec.ConfirmationNotOnOrAfter)}" Recipient="{E(spec.Recipient)}"{confirmationInResponseTo}/>
                </saml:SubjectConfirmation>
              </saml:Subject>
              <saml:Conditions NotBefore="{T(spec.NotBefore)}" NotOnOrAfter="{T(spec.NotOnOrAfter)}">
                <saml:AudienceRestriction><saml:Audience>{E(spec.Audience)}</saml:Audience></saml:AudienceRestriction>{spec.ExtraConditions}
              </saml:Conditions>
              {authn}
              <saml:AttributeStatement>
                <saml:Attribute Name="email" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue>{E(spec.NameId)}</saml:AttributeValue></saml:Attribute>
                <saml:Attribute Name="groups" FriendlyName="Groups"><saml:AttributeValue>admins</saml:AttributeValue><saml:AttributeValue>staff</saml:AttributeValue></saml:Attribute>
              </saml:AttributeStatement>
            </saml:Assertion>
            """;
    }

    public static XmlDocument Load(string xml)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.LoadXml(xml);
        return document;
    }

    public static XmlElement Response(XmlDocument document) => document.DocumentElement!;

    public static XmlElement Assertion(XmlDocument document) =>
        (XmlElement)document.GetElementsByTagName("Assertion", Saml)[0]!;

    /// <summary>How a test signs: algorithm choices and transforms, defaults as SAML profiles them.</summary>
    public sealed record SignOptions
    {
        public string SignatureMethod { get; init; } = SamlNames.RsaSha256;
        public string DigestMethod { get; init; } = SamlNames.Sha256;
        public string Canonicalization { get; init; } = SamlNames.ExclusiveC14N;
        public Func<IReadOnlyList<Transform>>? Transforms { get; init; }
        public bool IncludeKeyInfo { get; init; } = true;
        public string? ReferenceUri { get; init; }
    }

    /// <summary>Signs <paramref name="element"/> with an enveloped signature placed after its Issuer.</summary>
    public static XmlElement Sign(XmlElement element, X509Certificate2 certificate, SignOptions? options = null)
    {
        options ??= new SignOptions();
        EnsureEcdsaRegistered();
        var document = element.OwnerDocument;
        var id = element.GetAttribute("ID");
        var signedXml = new SignedXml(document)
        {
            SigningKey = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey(),
        };
        signedXml.SignedInfo!.SignatureMethod = options.SignatureMethod;
        signedXml.SignedInfo.CanonicalizationMethod = options.Canonicalization;
        var reference = new Reference(options.ReferenceUri ?? "#" + id) { DigestMethod = options.DigestMethod };
        foreach (var transform in options.Transforms?.Invoke() ?? [new XmlDsigEnvelopedSignatureTransform(), new XmlDsigExcC14NTransform()])
        {
            reference.AddTransform(transform);
        }

        signedXml.AddReference(reference);
        if (options.IncludeKeyInfo)
        {
            signedXml.KeyInfo = new KeyInfo();
            signedXml.KeyInfo.AddClause(new KeyInfoX509Data(certificate));
        }

        signedXml.ComputeSignature();
        var signature = (XmlElement)document.ImportNode(signedXml.GetXml(), deep: true);
        var issuer = element.ChildNodes.OfType<XmlElement>().FirstOrDefault(e => e.LocalName == "Issuer");
        if (issuer is null)
        {
            element.PrependChild(signature);
        }
        else
        {
            element.InsertAfter(signature, issuer);
        }

        return signature;
    }

    /// <summary>The ECDSA descriptions the library registers are needed by <see cref="SignedXml"/> for signing, too.</summary>
    public static void EnsureEcdsaRegistered() =>
        CryptoConfig.AddAlgorithm(typeof(Kastell.Saml.Signatures.EcdsaSha256SignatureDescription), SamlNames.EcdsaSha256);

    public enum Cipher
    {
        Aes256Gcm,
        Aes128Gcm,
        Aes256CbcWithEncryptedXml,
    }

    /// <summary>Replaces the (possibly signed) assertion by an EncryptedAssertion for <paramref name="recipient"/>.</summary>
    public static XmlElement EncryptAssertion(XmlDocument document, X509Certificate2 recipient, Cipher cipher = Cipher.Aes256Gcm, string keyTransport = SamlNames.RsaOaepMgf1P, bool keyInsideKeyInfo = true)
    {
        var assertion = Assertion(document);
        var plaintext = Encoding.UTF8.GetBytes(assertion.OuterXml);
        using var rsa = recipient.GetRSAPublicKey()!;
        byte[] cipherValue;
        byte[] key;
        string algorithm;
        switch (cipher)
        {
            case Cipher.Aes256CbcWithEncryptedXml:
            {
                using var aes = Aes.Create();
                aes.KeySize = 256;
                key = aes.Key;
                cipherValue = new EncryptedXml().EncryptData(plaintext, aes);
                algorithm = SamlNames.Aes256Cbc;
                break;
            }

            default:
            {
                key = RandomNumberGenerator.GetBytes(cipher == Cipher.Aes128Gcm ? 16 : 32);
                var nonce = RandomNumberGenerator.GetBytes(12);
                var encrypted = new byte[plaintext.Length];
                var tag = new byte[16];
                using var gcm = new AesGcm(key, 16);
                gcm.Encrypt(nonce, plaintext, encrypted, tag);
                cipherValue = [.. nonce, .. encrypted, .. tag];
                algorithm = cipher == Cipher.Aes128Gcm ? SamlNames.Aes128Gcm : SamlNames.Aes256Gcm;
                break;
            }
        }

        var wrapped = keyTransport switch
        {
            SamlNames.RsaPkcs1KeyTransport => rsa.Encrypt(key, RSAEncryptionPadding.Pkcs1),
            _ => EncryptedXml.EncryptKey(key, rsa, useOAEP: true),
        };
        var encryptedKey = $"""<xenc:EncryptedKey xmlns:xenc="{SamlNames.XmlEnc}"><xenc:EncryptionMethod Algorithm="{keyTransport}"><ds:DigestMethod xmlns:ds="{Ds}" Algorithm="{SamlNames.Sha1}"/></xenc:EncryptionMethod><xenc:CipherData><xenc:CipherValue>{Convert.ToBase64String(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>""";
        var keyInfo = keyInsideKeyInfo ? $"""<ds:KeyInfo xmlns:ds="{Ds}">{encryptedKey}</ds:KeyInfo>""" : "";
        var xml = $"""<saml:EncryptedAssertion xmlns:saml="{Saml}"><xenc:EncryptedData xmlns:xenc="{SamlNames.XmlEnc}" Type="{SamlNames.EncryptedElementType}"><xenc:EncryptionMethod Algorithm="{algorithm}"/>{keyInfo}<xenc:CipherData><xenc:CipherValue>{Convert.ToBase64String(cipherValue)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>{(keyInsideKeyInfo ? "" : encryptedKey)}</saml:EncryptedAssertion>""";
        var fragment = Load(xml).DocumentElement!;
        var imported = (XmlElement)document.ImportNode(fragment, deep: true);
        assertion.ParentNode!.ReplaceChild(imported, assertion);
        return imported;
    }

    public static string Encode(XmlDocument document) => Convert.ToBase64String(Encoding.UTF8.GetBytes(document.OuterXml));

    public static string Encode(string xml) => Convert.ToBase64String(Encoding.UTF8.GetBytes(xml));

    /// <summary>A signed response with a signed assertion: what a well-behaved IdP sends.</summary>
    public static XmlDocument SignedBoth(ResponseSpec? spec = null, X509Certificate2? key = null)
    {
        var document = Build(spec ?? new ResponseSpec());
        Sign(Assertion(document), key ?? TestKeys.Shared.Idp);
        Sign(Response(document), key ?? TestKeys.Shared.Idp);
        return document;
    }

    public static XmlDocument SignedAssertion(ResponseSpec? spec = null, X509Certificate2? key = null, SignOptions? options = null)
    {
        var document = Build(spec ?? new ResponseSpec());
        Sign(Assertion(document), key ?? TestKeys.Shared.Idp, options);
        return document;
    }

    public static XmlDocument SignedResponse(ResponseSpec? spec = null, X509Certificate2? key = null, SignOptions? options = null)
    {
        var document = Build(spec ?? new ResponseSpec());
        Sign(Response(document), key ?? TestKeys.Shared.Idp, options);
        return document;
    }
}
