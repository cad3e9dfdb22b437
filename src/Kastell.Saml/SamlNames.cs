namespace Kastell.Saml;

/// <summary>Namespace and algorithm identifiers of SAML 2.0, XML Signature and XML Encryption used by this library.</summary>
public static class SamlNames
{
    /// <summary>SAML 2.0 protocol namespace (<c>samlp</c>).</summary>
    public const string Protocol = "urn:oasis:names:tc:SAML:2.0:protocol";

    /// <summary>SAML 2.0 assertion namespace (<c>saml</c>).</summary>
    public const string Assertion = "urn:oasis:names:tc:SAML:2.0:assertion";

    /// <summary>SAML 2.0 metadata namespace (<c>md</c>).</summary>
    public const string Metadata = "urn:oasis:names:tc:SAML:2.0:metadata";

    /// <summary>XML Signature namespace (<c>ds</c>).</summary>
    public const string XmlDsig = "http://www.w3.org/2000/09/xmldsig#";

    /// <summary>XML Encryption 1.0 namespace (<c>xenc</c>).</summary>
    public const string XmlEnc = "http://www.w3.org/2001/04/xmlenc#";

    /// <summary>XML Encryption 1.1 namespace (<c>xenc11</c>).</summary>
    public const string XmlEnc11 = "http://www.w3.org/2009/xmlenc11#";

    /// <summary>The HTTP-Redirect binding.</summary>
    public const string HttpRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

    /// <summary>The HTTP-POST binding.</summary>
    public const string HttpPostBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

    /// <summary>The top-level status code of a successful response.</summary>
    public const string StatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";

    /// <summary>The bearer subject confirmation method, the only one the Web Browser SSO profile uses.</summary>
    public const string BearerConfirmation = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

    /// <summary>The NameID format of entity identifiers (issuers).</summary>
    public const string EntityNameIdFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

    /// <summary>Exclusive canonicalization without comments, the only canonicalization accepted.</summary>
    public const string ExclusiveC14N = "http://www.w3.org/2001/10/xml-exc-c14n#";

    /// <summary>The enveloped-signature transform.</summary>
    public const string EnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

    /// <summary>RSA PKCS#1 v1.5 with SHA-1: accepted only with <see cref="SamlSecurityOptions.AllowInsecureSha1"/>.</summary>
    public const string RsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";

    /// <summary>RSA PKCS#1 v1.5 with SHA-256.</summary>
    public const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

    /// <summary>RSA PKCS#1 v1.5 with SHA-384.</summary>
    public const string RsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";

    /// <summary>RSA PKCS#1 v1.5 with SHA-512.</summary>
    public const string RsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";

    /// <summary>ECDSA with SHA-1: accepted only with <see cref="SamlSecurityOptions.AllowInsecureSha1"/>.</summary>
    public const string EcdsaSha1 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1";

    /// <summary>ECDSA with SHA-256.</summary>
    public const string EcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

    /// <summary>ECDSA with SHA-384.</summary>
    public const string EcdsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";

    /// <summary>ECDSA with SHA-512.</summary>
    public const string EcdsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";

    /// <summary>SHA-1 digest: accepted only with <see cref="SamlSecurityOptions.AllowInsecureSha1"/>.</summary>
    public const string Sha1 = "http://www.w3.org/2000/09/xmldsig#sha1";

    /// <summary>SHA-256 digest.</summary>
    public const string Sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

    /// <summary>SHA-384 digest.</summary>
    public const string Sha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";

    /// <summary>SHA-512 digest.</summary>
    public const string Sha512 = "http://www.w3.org/2001/04/xmlenc#sha512";

    /// <summary>AES-128 in CBC mode (XML Encryption 1.0).</summary>
    public const string Aes128Cbc = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";

    /// <summary>AES-192 in CBC mode (XML Encryption 1.0).</summary>
    public const string Aes192Cbc = "http://www.w3.org/2001/04/xmlenc#aes192-cbc";

    /// <summary>AES-256 in CBC mode (XML Encryption 1.0).</summary>
    public const string Aes256Cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";

    /// <summary>AES-128 in GCM mode (XML Encryption 1.1).</summary>
    public const string Aes128Gcm = "http://www.w3.org/2009/xmlenc11#aes128-gcm";

    /// <summary>AES-192 in GCM mode (XML Encryption 1.1).</summary>
    public const string Aes192Gcm = "http://www.w3.org/2009/xmlenc11#aes192-gcm";

    /// <summary>AES-256 in GCM mode (XML Encryption 1.1).</summary>
    public const string Aes256Gcm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";

    /// <summary>RSA-OAEP key transport with MGF1-SHA-1 (XML Encryption 1.0).</summary>
    public const string RsaOaepMgf1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";

    /// <summary>RSA-OAEP key transport with a selectable MGF (XML Encryption 1.1).</summary>
    public const string RsaOaep = "http://www.w3.org/2009/xmlenc11#rsa-oaep";

    /// <summary>RSA PKCS#1 v1.5 key transport: always refused (Bleichenbacher's attack).</summary>
    public const string RsaPkcs1KeyTransport = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

    /// <summary>MGF1 with SHA-1 (XML Encryption 1.1).</summary>
    public const string Mgf1Sha1 = "http://www.w3.org/2009/xmlenc11#mgf1sha1";

    /// <summary>MGF1 with SHA-256 (XML Encryption 1.1).</summary>
    public const string Mgf1Sha256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256";

    /// <summary>MGF1 with SHA-384 (XML Encryption 1.1).</summary>
    public const string Mgf1Sha384 = "http://www.w3.org/2009/xmlenc11#mgf1sha384";

    /// <summary>MGF1 with SHA-512 (XML Encryption 1.1).</summary>
    public const string Mgf1Sha512 = "http://www.w3.org/2009/xmlenc11#mgf1sha512";

    /// <summary>The <c>Type</c> of encrypted data that replaces a whole element.</summary>
    public const string EncryptedElementType = "http://www.w3.org/2001/04/xmlenc#Element";
}
