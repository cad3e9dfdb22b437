namespace Kastell.Saml;

/// <summary>
/// Why a SAML response was refused. The numbers are stable identifiers for the audit log and the error-code
/// documentation: append only, never renumber, blocks per area (1xx input, 2xx structure, 3xx signature,
/// 4xx protocol and time, 5xx encryption). The reason describes the first check that failed; a message can have more
/// than one defect.
/// </summary>
public enum SamlRefusalReason
{
    /// <summary>The encoded or decoded message is larger than <see cref="SamlSecurityOptions.MaxResponseBytes"/>.</summary>
    ResponseTooLarge = 101,

    /// <summary>The form value is not base64.</summary>
    InvalidEncoding = 102,

    /// <summary>The XML is not well-formed (or uses an undeclared prefix, an undefined entity, ...).</summary>
    MalformedXml = 103,

    /// <summary>The XML has a document type declaration: DTDs, entity expansion (billion laughs) and external
    /// entities (XXE) are refused before anything is resolved.</summary>
    DtdProhibited = 104,

    /// <summary>The XML nests deeper than the library reads (protects the recursive canonicalizer's stack).</summary>
    XmlTooDeep = 105,

    /// <summary>The document element is not a SAML 2.0 <c>samlp:Response</c>.</summary>
    NotASamlResponse = 106,

    /// <summary>A required element or attribute is missing or has an invalid value (detail names it).</summary>
    MalformedResponse = 107,

    /// <summary>A value the library reads (NameID, Issuer, Audience, attribute value, ...) contains a comment, a
    /// processing instruction or an element. Canonicalization drops comments, so a signed
    /// <c>user@example.com.evil.test</c> could otherwise be read as <c>user@example.com</c>.</summary>
    UnexpectedMarkupInValue = 108,

    /// <summary>Two elements carry the same ID (in <c>ID</c>, <c>Id</c> or <c>id</c>): signature wrapping.</summary>
    DuplicateId = 201,

    /// <summary>The response holds no assertion.</summary>
    NoAssertion = 202,

    /// <summary>The response holds more than one assertion, anywhere in the document (signature wrapping or a
    /// misplaced assertion).</summary>
    AssertionCountOrPlacement = 203,

    /// <summary>A signature sits somewhere other than directly in the response or directly in the assertion, or an
    /// element has two signatures.</summary>
    UnexpectedSignature = 204,

    /// <summary>Neither the response nor the assertion is signed.</summary>
    SignatureMissing = 301,

    /// <summary>Only the response is signed, and <see cref="SamlSecurityOptions.RequireSignedAssertion"/> is set.</summary>
    AssertionNotSigned = 302,

    /// <summary>The signature's reference does not point (by <c>#ID</c>) at the element that carries the signature,
    /// or the signature has more or fewer than one reference.</summary>
    ReferenceMismatch = 303,

    /// <summary>A transform other than enveloped-signature and exclusive canonicalization.</summary>
    TransformNotAllowed = 304,

    /// <summary>A canonicalization method other than exclusive canonicalization without comments.</summary>
    CanonicalizationNotAllowed = 305,

    /// <summary>A signature algorithm outside the allow-list (RSA or ECDSA with SHA-2).</summary>
    SignatureAlgorithmNotAllowed = 306,

    /// <summary>A digest algorithm outside the allow-list (SHA-2).</summary>
    DigestAlgorithmNotAllowed = 307,

    /// <summary>SHA-1 in the signature or digest, and <see cref="SamlSecurityOptions.AllowInsecureSha1"/> is off.</summary>
    Sha1NotAllowed = 308,

    /// <summary>The signature value does not verify with any pinned certificate of the identity provider.</summary>
    SignatureInvalid = 309,

    /// <summary>The signature value verifies but the signed content was changed after signing.</summary>
    DigestMismatch = 310,

    /// <summary>The signature does not verify with the pinned certificates and the message carries a different
    /// certificate in <c>KeyInfo</c> (which is never used to verify).</summary>
    UnpinnedSigningCertificate = 311,

    /// <summary>The signature element is not an XML signature of the shape SAML uses (SignedInfo, SignatureValue, an
    /// optional KeyInfo, nothing else).</summary>
    MalformedSignature = 312,

    /// <summary>The top-level status is not <c>Success</c> (detail carries the unverified status code).</summary>
    StatusNotSuccess = 401,

    /// <summary>The issuer is not the identity provider's entity id.</summary>
    IssuerMismatch = 402,

    /// <summary>The response's <c>Destination</c> is not the assertion consumer service URL, or is missing on a
    /// signed response.</summary>
    DestinationMismatch = 403,

    /// <summary>No InResponseTo in the signed content and <see cref="SamlSecurityOptions.AllowUnsolicitedResponses"/>
    /// is off.</summary>
    UnsolicitedResponse = 404,

    /// <summary>An InResponseTo that is not one of the caller's outstanding request ids, or two that disagree.</summary>
    UnknownInResponseTo = 405,

    /// <summary>No audience restriction names this service provider.</summary>
    AudienceMismatch = 406,

    /// <summary>The bearer confirmation's <c>Recipient</c> is not the assertion consumer service URL.</summary>
    RecipientMismatch = 407,

    /// <summary>The subject has no bearer confirmation.</summary>
    NoBearerConfirmation = 408,

    /// <summary>The bearer confirmation has expired (or lacks <c>NotOnOrAfter</c>) or is not yet valid.</summary>
    ConfirmationExpired = 409,

    /// <summary>The assertion's conditions have expired.</summary>
    AssertionExpired = 410,

    /// <summary>The assertion's conditions are not valid yet.</summary>
    AssertionNotYetValid = 411,

    /// <summary>The assertion id was already used: the replay store refused it.</summary>
    Replay = 412,

    /// <summary>The subject has no NameID (an <c>EncryptedID</c> is not supported).</summary>
    MissingNameId = 413,

    /// <summary>The assertion has no AuthnStatement, so it does not say that anyone authenticated.</summary>
    MissingAuthnStatement = 414,

    /// <summary>The conditions contain a condition this library does not understand (the assertion is then
    /// indeterminate, SAML core 2.5.1.1).</summary>
    UnsupportedCondition = 415,

    /// <summary>The AuthnStatement's <c>SessionNotOnOrAfter</c> has passed.</summary>
    SessionExpired = 416,

    /// <summary>The assertion is not encrypted and <see cref="SamlSecurityOptions.RequireEncryptedAssertion"/> is set.</summary>
    EncryptedAssertionRequired = 501,

    /// <summary>The encrypted assertion could not be decrypted or its plaintext is not one assertion. One code for
    /// every cause (padding, tag, key, parse), so that the refusal is no decryption oracle.</summary>
    DecryptionFailed = 502,

    /// <summary>Key transport or content encryption outside the allow-list (RSA-OAEP; AES-GCM and AES-CBC).</summary>
    EncryptionAlgorithmNotAllowed = 503,

    /// <summary>The assertion is encrypted but the service provider has no decryption certificate.</summary>
    NoDecryptionKey = 504,
}
