using System.Xml;
using Kastell.Saml.Encryption;
using Kastell.Saml.Signatures;
using Kastell.Saml.Xml;

namespace Kastell.Saml;

/// <summary>
/// Validates a SAML 2.0 response of the HTTP-POST binding for one service provider and one identity provider, and
/// returns the principal or a refusal with a stable <see cref="SamlRefusalReason"/>. Malformed input is a refusal,
/// never an exception.
/// <para>Security decisions, in the order they run:</para>
/// <list type="number">
/// <item>Size limit before decoding; XML parsed with DTDs prohibited, no resolver and a depth limit (no XXE, no
/// entity expansion, no stack exhaustion).</item>
/// <item>The status must be Success (read unverified, used only to refuse).</item>
/// <item>Against signature wrapping (XSW): no ID value may occur twice in the document (in <c>ID</c>, <c>Id</c> or
/// <c>id</c> of any element); signatures may sit only directly in the response or directly in its assertion, one
/// each; the document holds exactly one assertion (plain or encrypted) anywhere, as a direct child of the
/// response.</item>
/// <item>Every signature present must verify (<c>SignatureVerifier</c>): allow-listed algorithms, a single reference
/// to exactly the element that carries it, the identity provider's pinned certificates only. What is read afterwards
/// is the verified copy of that element, never the original document.</item>
/// <item>An encrypted assertion is decrypted with the service provider's keys (RSA-OAEP, AES-GCM or AES-CBC) and
/// the checks above run again on the result; its own signature is verified after decryption.</item>
/// <item>A signature must cover the assertion: on the assertion, or (unless
/// <see cref="SamlSecurityOptions.RequireSignedAssertion"/>) on the response.</item>
/// <item>Destination, Issuer, Conditions (NotBefore, NotOnOrAfter, Audience; unknown conditions refused), a bearer
/// SubjectConfirmation (Recipient, NotOnOrAfter, InResponseTo), NameID and AuthnStatement, with the clock skew of
/// <see cref="SamlSecurityOptions.ClockSkew"/> and time from the injected <see cref="TimeProvider"/>.</item>
/// <item>InResponseTo must be one of the caller's outstanding request ids; only a value inside signed content
/// makes a response solicited.</item>
/// <item>Last, the assertion id is recorded in the <see cref="ISamlReplayStore"/>; a second use is refused.</item>
/// </list>
/// </summary>
public sealed class SamlResponseValidator
{
    private readonly SamlServiceProvider _serviceProvider;
    private readonly SamlIdentityProvider _identityProvider;
    private readonly SamlSecurityOptions _options;
    private readonly ISamlReplayStore _replayStore;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a validator; throws when <paramref name="options"/> are out of range.</summary>
    /// <param name="serviceProvider">This service provider (entity id, ACS URL, decryption keys).</param>
    /// <param name="identityProvider">The trusted identity provider with its pinned certificates.</param>
    /// <param name="options">The connection's security options.</param>
    /// <param name="replayStore">Where used assertion ids are recorded.</param>
    /// <param name="timeProvider">The clock.</param>
    public SamlResponseValidator(SamlServiceProvider serviceProvider, SamlIdentityProvider identityProvider, SamlSecurityOptions options, ISamlReplayStore replayStore, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(serviceProvider);
        ArgumentNullException.ThrowIfNull(identityProvider);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(replayStore);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _serviceProvider = serviceProvider;
        _identityProvider = identityProvider;
        _options = options;
        _replayStore = replayStore;
        _timeProvider = timeProvider;
    }

    /// <summary>Validates the <c>SAMLResponse</c> form value (base64 of the XML).</summary>
    /// <param name="samlResponse">The form value as posted.</param>
    /// <param name="outstandingRequestIds">The ids of AuthnRequests this browser session sent and that have not been
    /// answered; empty for none.</param>
    /// <param name="cancellationToken">Cancels the replay store call.</param>
    public Task<SamlValidationResult> ValidateAsync(string samlResponse, IReadOnlyCollection<string> outstandingRequestIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samlResponse);
        ArgumentNullException.ThrowIfNull(outstandingRequestIds);
        if (samlResponse.Length > (_options.MaxResponseBytes / 3 * 4) + 4096)
        {
            return Task.FromResult(Refused(SamlRefusalReason.ResponseTooLarge, $"{samlResponse.Length} characters"));
        }

        var buffer = new byte[(samlResponse.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(samlResponse, buffer, out var length) || length == 0)
        {
            return Task.FromResult(Refused(SamlRefusalReason.InvalidEncoding, "the SAMLResponse is not base64"));
        }

        return ValidateXmlAsync(buffer[..length], outstandingRequestIds, cancellationToken);
    }

    /// <summary>Validates the decoded XML of a response (what <see cref="ValidateAsync"/> does after base64).</summary>
    internal async Task<SamlValidationResult> ValidateXmlAsync(byte[] xml, IReadOnlyCollection<string> outstandingRequestIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentNullException.ThrowIfNull(outstandingRequestIds);
        var outcome = Check(xml, outstandingRequestIds);
        if (outcome.Refusal is not null)
        {
            return SamlValidationResult.Refused(outcome.Refusal);
        }

        var principal = outcome.Principal!;
        if (!await _replayStore.TryRecordAsync(principal.Issuer, principal.AssertionId, outcome.KeepUntil, cancellationToken).ConfigureAwait(false))
        {
            return Refused(SamlRefusalReason.Replay, $"assertion {SecureXml.ForLog(principal.AssertionId)} was already used");
        }

        return SamlValidationResult.Success(principal);
    }

    /// <summary>Every check but the replay store, without side effects.</summary>
    internal Outcome Check(byte[] xml, IReadOnlyCollection<string> outstandingRequestIds)
    {
        if (xml.Length > _options.MaxResponseBytes)
        {
            return Fail(SamlRefusalReason.ResponseTooLarge, $"{xml.Length} bytes");
        }

        switch (SecureXml.TryLoad(xml, out var document))
        {
            case XmlLoadFailure.Dtd:
                return Fail(SamlRefusalReason.DtdProhibited, "the document has a DOCTYPE");
            case XmlLoadFailure.TooDeep:
                return Fail(SamlRefusalReason.XmlTooDeep, $"deeper than {SecureXml.MaxDepth} levels");
            case XmlLoadFailure.Malformed:
                return Fail(SamlRefusalReason.MalformedXml, "the document is not well-formed XML");
        }

        var response = document!.DocumentElement!;
        if (!SecureXml.Is(response, SamlNames.Protocol, "Response") || SecureXml.Attribute(response, "Version") != "2.0")
        {
            return Fail(SamlRefusalReason.NotASamlResponse, $"document element {SecureXml.ForLog(response.NamespaceURI)}:{SecureXml.ForLog(response.LocalName)} version {SecureXml.ForLog(SecureXml.Attribute(response, "Version"))}");
        }

        if (string.IsNullOrEmpty(SecureXml.Attribute(response, "ID")) || !SecureXml.TryParseInstant(SecureXml.Attribute(response, "IssueInstant"), out _))
        {
            return Fail(SamlRefusalReason.MalformedResponse, "the response needs an ID and an IssueInstant");
        }

        if ((CheckStatus(response) ?? CheckStructure(response)) is { } early)
        {
            return new Outcome(early, null, default);
        }

        var current = response;
        var responseSigned = false;
        if (SecureXml.Children(response, SamlNames.XmlDsig, "Signature").FirstOrDefault() is { } responseSignature)
        {
            var verified = SignatureVerifier.Verify(response, responseSignature, _identityProvider.SigningCertificates, _options.AllowInsecureSha1);
            if (verified.Refusal is not null)
            {
                return new Outcome(verified.Refusal, null, default);
            }

            current = verified.VerifiedElement!;
            responseSigned = true;
        }

        if (CheckResponseFields(current, responseSigned) is { } fieldRefusal)
        {
            return new Outcome(fieldRefusal, null, default);
        }

        var assertion = SecureXml.Children(current).First(e => e.NamespaceURI == SamlNames.Assertion && e.LocalName is "Assertion" or "EncryptedAssertion");
        var encrypted = assertion.LocalName == "EncryptedAssertion";
        if (encrypted)
        {
            var (decryptionRefusal, decrypted) = AssertionDecryptor.DecryptInPlace(assertion, _serviceProvider.DecryptionCertificates, _options.MaxResponseBytes);
            if (decryptionRefusal is not null)
            {
                return new Outcome(decryptionRefusal, null, default);
            }

            // The plaintext is as untrusted as the envelope was: the wrapping checks run again on the whole document.
            if (SecureXml.Depth(current.OwnerDocument) > SecureXml.MaxDepth + 8)
            {
                return Fail(SamlRefusalReason.XmlTooDeep, "the decrypted assertion nests too deep");
            }

            if (CheckStructure(current) is { } afterDecryption)
            {
                return new Outcome(afterDecryption, null, default);
            }

            assertion = decrypted!;
        }
        else if (_options.RequireEncryptedAssertion)
        {
            return Fail(SamlRefusalReason.EncryptedAssertionRequired, "the assertion is not encrypted");
        }

        var assertionSigned = false;
        if (SecureXml.Children(assertion, SamlNames.XmlDsig, "Signature").FirstOrDefault() is { } assertionSignature)
        {
            var verified = SignatureVerifier.Verify(assertion, assertionSignature, _identityProvider.SigningCertificates, _options.AllowInsecureSha1);
            if (verified.Refusal is not null)
            {
                return new Outcome(verified.Refusal, null, default);
            }

            assertion = verified.VerifiedElement!;
            assertionSigned = true;
        }
        else if (!responseSigned)
        {
            return Fail(SamlRefusalReason.SignatureMissing, "neither the response nor the assertion is signed");
        }
        else if (_options.RequireSignedAssertion)
        {
            return Fail(SamlRefusalReason.AssertionNotSigned, "only the response is signed and a signed assertion is required");
        }

        var reader = new AssertionReader(_serviceProvider, _identityProvider, _options, _timeProvider.GetUtcNow(), outstandingRequestIds);
        return reader.Read(assertion, SecureXml.Attribute(current, "InResponseTo"), responseSigned, assertionSigned, encrypted);
    }

    /// <summary>The top-level status (unverified: a failed sign-in is often answered unsigned, and it only refuses).</summary>
    private static SamlRefusal? CheckStatus(XmlElement response)
    {
        var status = SecureXml.Single(response, SamlNames.Protocol, "Status", out _);
        var code = status is null ? null : SecureXml.Single(status, SamlNames.Protocol, "StatusCode", out _);
        var value = code is null ? null : SecureXml.Attribute(code, "Value");
        if (value is null)
        {
            return new SamlRefusal(SamlRefusalReason.MalformedResponse, "the response needs one Status with one StatusCode");
        }

        if (value == SamlNames.StatusSuccess)
        {
            return null;
        }

        var second = SecureXml.Children(code!, SamlNames.Protocol, "StatusCode").Select(c => SecureXml.Attribute(c, "Value")).FirstOrDefault();
        return new SamlRefusal(SamlRefusalReason.StatusNotSuccess, $"status {SecureXml.ForLog(value)} / {SecureXml.ForLog(second)}");
    }

    /// <summary>
    /// The anti-wrapping rules over the whole document: unique IDs, signatures only where SAML puts them, exactly one
    /// assertion and it directly in the response.
    /// </summary>
    internal static SamlRefusal? CheckStructure(XmlElement response)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var assertions = 0;
        var misplaced = false;
        foreach (var element in SecureXml.Elements(response.OwnerDocument.DocumentElement!))
        {
            foreach (XmlAttribute attribute in element.Attributes)
            {
                if (attribute.LocalName is "ID" or "Id" or "id" && attribute.Prefix != "xmlns" && !ids.Add(attribute.Value))
                {
                    return new SamlRefusal(SamlRefusalReason.DuplicateId, $"the ID {SecureXml.ForLog(attribute.Value)} occurs more than once");
                }
            }

            if (SecureXml.Is(element, SamlNames.XmlDsig, "Signature"))
            {
                var parent = element.ParentNode as XmlElement;
                var allowedPlace = parent == response || (SecureXml.Is(parent, SamlNames.Assertion, "Assertion") && parent!.ParentNode == response);
                if (!allowedPlace || SecureXml.Children(parent!, SamlNames.XmlDsig, "Signature").Count() > 1)
                {
                    return new SamlRefusal(SamlRefusalReason.UnexpectedSignature, $"a signature inside {SecureXml.ForLog(parent?.Name)}");
                }
            }

            if (element.NamespaceURI == SamlNames.Assertion && element.LocalName is "Assertion" or "EncryptedAssertion")
            {
                assertions++;
                misplaced |= element.ParentNode != response;
            }
        }

        return assertions switch
        {
            0 => new SamlRefusal(SamlRefusalReason.NoAssertion, "the response holds no assertion"),
            1 when !misplaced => null,
            _ => new SamlRefusal(SamlRefusalReason.AssertionCountOrPlacement, $"{assertions} assertions; exactly one, directly in the response, is accepted"),
        };
    }

    private SamlRefusal? CheckResponseFields(XmlElement response, bool signed)
    {
        var destination = SecureXml.Attribute(response, "Destination");
        if ((destination is not null && destination != _serviceProvider.AssertionConsumerServiceUrl) || (destination is null && signed))
        {
            // SAML bindings 3.5.5.2: a signed response must name where it was sent.
            return new SamlRefusal(SamlRefusalReason.DestinationMismatch, $"destination {SecureXml.ForLog(destination)}");
        }

        var issuer = SecureXml.Single(response, SamlNames.Assertion, "Issuer", out var issuers);
        if (issuers > 1)
        {
            return new SamlRefusal(SamlRefusalReason.MalformedResponse, "more than one response issuer");
        }

        return issuer is null ? null : AssertionReader.CheckIssuer(issuer, _identityProvider.EntityId);
    }

    private static SamlValidationResult Refused(SamlRefusalReason reason, string detail) =>
        SamlValidationResult.Refused(new SamlRefusal(reason, detail));

    private static Outcome Fail(SamlRefusalReason reason, string detail) => new(new SamlRefusal(reason, detail), null, default);

    /// <summary>A refusal, or a principal and how long its assertion id must be remembered.</summary>
    internal readonly record struct Outcome(SamlRefusal? Refusal, SamlPrincipal? Principal, DateTimeOffset KeepUntil);
}
