using System.Xml;
using Kastell.Saml.Signatures;
using Kastell.Saml.Tests.Infrastructure;
using static Kastell.Saml.Tests.Infrastructure.Harness;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Responses;

/// <summary>
/// XML signature wrapping (XSW1–XSW8) as classified by Somorovsky et al., "On Breaking SAML: Be Whoever You Want to
/// Be" (USENIX Security 2012), built the way SAML Raider's <c>XSWHelpers</c> builds them: the signed original stays in
/// the document so the signature still verifies, and an evil copy (here: NameID and e-mail of mallory, an admin) sits
/// where a naive reader looks (see <see cref="XswAttacks"/> for how each variant is built). Each case runs twice: as the tool makes it (the copies keep their IDs) and with the
/// IDs made unique by the attacker, which passes the duplicate-ID rule and must be stopped by the next one.
/// Below, verifier-level tests show that the signature check alone also refuses the shapes.
/// </summary>
public sealed class SignatureWrappingTests
{
    private static readonly SamlSecurityOptions ResponseSignatureSuffices = new() { RequireSignedAssertion = false };

    public static TheoryData<string, bool, SamlRefusalReason> Cases => new()
    {
        { "XSW1", false, SamlRefusalReason.DuplicateId },
        { "XSW1", true, SamlRefusalReason.AssertionCountOrPlacement },
        { "XSW2", false, SamlRefusalReason.DuplicateId },
        { "XSW2", true, SamlRefusalReason.AssertionCountOrPlacement },
        { "XSW3", false, SamlRefusalReason.AssertionCountOrPlacement },
        { "XSW4", false, SamlRefusalReason.UnexpectedSignature },
        { "XSW5", false, SamlRefusalReason.AssertionCountOrPlacement },
        { "XSW6", false, SamlRefusalReason.AssertionCountOrPlacement },
        { "XSW7", false, SamlRefusalReason.DuplicateId },
        { "XSW7", true, SamlRefusalReason.AssertionCountOrPlacement },
        { "XSW8", false, SamlRefusalReason.DuplicateId },
        { "XSW8", true, SamlRefusalReason.AssertionCountOrPlacement },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Wrapping_IsRefused(string variant, bool uniqueIds, SamlRefusalReason expected)
    {
        var document = XswAttacks.Wrap(variant, uniqueIds);
        var options = variant is "XSW1" or "XSW2" ? ResponseSignatureSuffices : new SamlSecurityOptions();

        AssertRefused(await ValidateAsync(document, options), expected);
    }

    [Fact]
    public async Task IdAttributeShadowingTheAssertionId_IsRefused()
    {
        // SignedXml.GetIdElement looks for Id, then id, then ID: an element with Id="<assertion id>" would win the
        // reference lookup while the application reads the element with ID.
        var document = Idp.SignedAssertion();
        var assertion = Idp.Assertion(document);
        var shadow = document.CreateElement("samlp", "Extensions", Idp.Samlp);
        shadow.SetAttribute("Id", assertion.GetAttribute("ID"));
        Idp.Response(document).InsertBefore(shadow, assertion);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DuplicateId);
    }

    [Fact]
    public async Task SignatureMovedFromTheAssertionToTheResponse_IsRefused()
    {
        // The signature still verifies (it covers the assertion) but no longer sits in the element it references: a
        // reader trusting "the response is signed" would accept whatever else the response says.
        var document = Idp.SignedAssertion();
        var signature = DirectSignature(Idp.Assertion(document));
        signature.ParentNode!.RemoveChild(signature);
        Idp.Response(document).InsertAfter(signature, Idp.Response(document).FirstChild);

        AssertRefused(await ValidateAsync(document, ResponseSignatureSuffices), SamlRefusalReason.ReferenceMismatch);
    }

    [Fact]
    public void Verifier_RefusesXsw5Shape_EvenWithoutTheStructureRules()
    {
        var document = XswAttacks.Wrap("XSW5", uniqueIds: false);
        var evil = Idp.Assertion(document);

        var outcome = SignatureVerifier.Verify(evil, DirectSignature(evil), [TestKeys.Shared.Idp], allowSha1: false);

        Assert.Equal(SamlRefusalReason.ReferenceMismatch, outcome.Refusal?.Reason);
    }

    [Fact]
    public void Verifier_RefusesXsw8Shape_EvenWithoutTheStructureRules()
    {
        var document = XswAttacks.Wrap("XSW8", uniqueIds: false);
        var evil = Idp.Assertion(document);

        var outcome = SignatureVerifier.Verify(evil, DirectSignature(evil), [TestKeys.Shared.Idp], allowSha1: false);

        Assert.Equal(SamlRefusalReason.MalformedSignature, outcome.Refusal?.Reason);
    }

    [Fact]
    public void Verifier_RefusesXsw1Shape_EvenWithoutTheStructureRules()
    {
        var document = XswAttacks.Wrap("XSW1", uniqueIds: true);
        var response = Idp.Response(document);

        var outcome = SignatureVerifier.Verify(response, DirectSignature(response), [TestKeys.Shared.Idp], allowSha1: false);

        Assert.NotNull(outcome.Refusal);
        Assert.Null(outcome.VerifiedElement);
    }

    [Fact]
    public void Verifier_ReturnsTheVerifiedCopy_NotTheDocumentElement()
    {
        var document = Idp.SignedAssertion();
        var assertion = Idp.Assertion(document);

        var outcome = SignatureVerifier.Verify(assertion, DirectSignature(assertion), [TestKeys.Shared.Idp], allowSha1: false);

        Assert.Null(outcome.Refusal);
        Assert.NotSame(assertion, outcome.VerifiedElement);
        Assert.NotSame(document, outcome.VerifiedElement!.OwnerDocument);
        Assert.Equal(assertion.GetAttribute("ID"), outcome.VerifiedElement.GetAttribute("ID"));
    }

    private static XmlElement DirectSignature(XmlElement element) => XswAttacks.DirectSignature(element);
}
