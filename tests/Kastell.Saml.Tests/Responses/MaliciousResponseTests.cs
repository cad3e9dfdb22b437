using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Kastell.Saml.Tests.Infrastructure;
using static Kastell.Saml.Tests.Infrastructure.Harness;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Responses;

/// <summary>
/// Malicious and broken responses beyond signature wrapping, each refused with its stable reason. Every response is
/// built by the test identity provider and then edited as an attacker (or a broken IdP) would.
/// </summary>
public sealed class MaliciousResponseTests
{
    private static readonly SamlSecurityOptions ResponseSignatureSuffices = new() { RequireSignedAssertion = false };

    [Fact]
    public async Task SignatureRemoved_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.Build(new ResponseSpec())), SamlRefusalReason.SignatureMissing);
    }

    [Fact]
    public async Task OnlyTheResponseSigned_WhenASignedAssertionIsRequired_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.SignedResponse()), SamlRefusalReason.AssertionNotSigned);
    }

    [Fact]
    public async Task UnsignedEvilAssertion_SwappedIntoASignedResponse_IsRefused()
    {
        // The response signature covers the assertion: replacing it breaks the digest.
        var document = Idp.SignedResponse();
        var evil = Idp.Load(Idp.AssertionXml(new ResponseSpec { NameId = "mallory@example.com", AssertionId = Idp.Assertion(document).GetAttribute("ID") })).DocumentElement!;
        Idp.Response(document).ReplaceChild(document.ImportNode(evil, deep: true), Idp.Assertion(document));

        AssertRefused(await ValidateAsync(document, ResponseSignatureSuffices), SamlRefusalReason.DigestMismatch);
    }

    [Fact]
    public async Task CommentInjectionInNameId_IsRefused()
    {
        // The IdP signs "alice@example.com.evil.test" for the attacker's account; exclusive c14n drops comments, so
        // "alice@example.com<!---->.evil.test" still verifies, and a first-text-node reader sees alice@example.com.
        var document = Idp.SignedAssertion(new ResponseSpec { NameId = "alice@example.com.evil.test" });
        var nameId = (XmlElement)document.GetElementsByTagName("NameID", Idp.Saml)[0]!;
        nameId.InnerXml = "alice@example.com<!---->.evil.test";

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnexpectedMarkupInValue);
    }

    [Fact]
    public async Task CommentInjectionInAnAttributeValue_IsRefused()
    {
        var document = Idp.SignedAssertion(new ResponseSpec { NameId = "alice@example.com.evil.test" });
        var value = (XmlElement)document.GetElementsByTagName("AttributeValue", Idp.Saml)[0]!;
        value.InnerXml = "alice@example.com<!-- -->.evil.test";

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnexpectedMarkupInValue);
    }

    [Fact]
    public async Task ProcessingInstructionInNameId_IsRefused()
    {
        // Canonicalization keeps processing instructions, so this one is signed (an attacker adding it afterwards gets
        // DigestMismatch); the value is still not read around it.
        var document = Idp.Build(new ResponseSpec());
        var nameId = (XmlElement)document.GetElementsByTagName("NameID", Idp.Saml)[0]!;
        nameId.InnerXml = "alice@example.com<?x y?>";
        Idp.Sign(Idp.Assertion(document), TestKeys.Shared.Idp);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnexpectedMarkupInValue);
    }

    [Fact]
    public async Task BillionLaughs_IsRefusedBeforeExpansion()
    {
        var entities = new StringBuilder("<!ENTITY lol0 \"lol\">");
        for (var i = 1; i <= 9; i++)
        {
            entities.Append($"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))}\">");
        }

        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE samlp:Response [{entities}]><samlp:Response xmlns:samlp=\"{Idp.Samlp}\">&lol9;</samlp:Response>";
        AssertRefused(await ValidateAsync(Idp.Encode(xml)), SamlRefusalReason.DtdProhibited);
    }

    [Fact]
    public async Task ExternalEntity_FileUri_IsRefused()
    {
        var signed = Idp.SignedAssertion().OuterXml.Replace("alice@example.com</saml:NameID>", "&xxe;</saml:NameID>", StringComparison.Ordinal);
        var xml = "<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + signed;

        AssertRefused(await ValidateAsync(Idp.Encode(xml)), SamlRefusalReason.DtdProhibited);
    }

    [Fact]
    public async Task ExternalDtd_IsRefusedWithoutFetching()
    {
        var xml = "<!DOCTYPE samlp:Response SYSTEM \"http://127.0.0.1:9/evil.dtd\">" + Idp.SignedAssertion().OuterXml;
        AssertRefused(await ValidateAsync(Idp.Encode(xml)), SamlRefusalReason.DtdProhibited);
    }

    [Fact]
    public async Task Expired_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(), now: ResponseSpec.Now.AddHours(1)), SamlRefusalReason.AssertionExpired);
    }

    [Fact]
    public async Task NotYetValid_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(), now: ResponseSpec.Now.AddMinutes(-10)), SamlRefusalReason.AssertionNotYetValid);
    }

    [Fact]
    public async Task NotBefore_JustBeyondTheSkew_IsRefused()
    {
        var spec = new ResponseSpec { NotBefore = ResponseSpec.Now.AddMinutes(2).AddSeconds(1) };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.AssertionNotYetValid);
    }

    [Fact]
    public async Task ExpiredBearerConfirmation_IsRefused()
    {
        var spec = new ResponseSpec { ConfirmationNotOnOrAfter = ResponseSpec.Now.AddMinutes(-3) };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.ConfirmationExpired);
    }

    [Fact]
    public async Task SessionNotOnOrAfterPassed_IsRefused()
    {
        var spec = new ResponseSpec { SessionNotOnOrAfter = ResponseSpec.Now.AddMinutes(-3) };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.SessionExpired);
    }

    [Fact]
    public async Task WrongAudience_IsRefused()
    {
        var spec = new ResponseSpec { Audience = "https://other-sp.test/saml" };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.AudienceMismatch);
    }

    [Fact]
    public async Task WrongRecipient_IsRefused()
    {
        var spec = new ResponseSpec { Recipient = "https://kastell.test/saml/other-org/acs" };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.RecipientMismatch);
    }

    [Fact]
    public async Task WrongDestination_IsRefused()
    {
        var spec = new ResponseSpec { Destination = "https://kastell.test/saml/other-org/acs" };
        AssertRefused(await ValidateAsync(Idp.SignedBoth(spec)), SamlRefusalReason.DestinationMismatch);
    }

    [Fact]
    public async Task SignedResponseWithoutDestination_IsRefused()
    {
        var spec = new ResponseSpec { Destination = null };
        AssertRefused(await ValidateAsync(Idp.SignedResponse(spec), ResponseSignatureSuffices), SamlRefusalReason.DestinationMismatch);
    }

    [Fact]
    public async Task WrongAssertionIssuer_IsRefused()
    {
        var spec = new ResponseSpec { AssertionIssuer = "https://evil-idp.test/metadata" };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.IssuerMismatch);
    }

    [Fact]
    public async Task WrongResponseIssuer_IsRefused()
    {
        var spec = new ResponseSpec { ResponseIssuer = "https://evil-idp.test/metadata" };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.IssuerMismatch);
    }

    [Fact]
    public async Task Replay_SameAssertionTwice_IsRefused()
    {
        var encoded = Idp.Encode(Idp.SignedAssertion());
        var validator = Validator();

        AssertAccepted(await validator.ValidateAsync(encoded, [ResponseSpec.RequestId], TestContext.Current.CancellationToken));
        AssertRefused(await validator.ValidateAsync(encoded, [ResponseSpec.RequestId], TestContext.Current.CancellationToken), SamlRefusalReason.Replay);
    }

    [Fact]
    public async Task RefusedResponse_BurnsNoAssertionId()
    {
        var encoded = Idp.Encode(Idp.SignedAssertion());
        var validator = Validator();

        AssertRefused(await validator.ValidateAsync(encoded, ["_another-request"], TestContext.Current.CancellationToken), SamlRefusalReason.UnknownInResponseTo);
        AssertAccepted(await validator.ValidateAsync(encoded, [ResponseSpec.RequestId], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnknownInResponseTo_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(), outstanding: ["_another-request"]), SamlRefusalReason.UnknownInResponseTo);
    }

    [Fact]
    public async Task InResponseTo_ResponseAndConfirmationDisagree_IsRefused()
    {
        var spec = new ResponseSpec { ConfirmationInResponseTo = "_request-0002" };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec), outstanding: [ResponseSpec.RequestId, "_request-0002"]), SamlRefusalReason.UnknownInResponseTo);
    }

    [Fact]
    public async Task Unsolicited_WhenNotAllowed_IsRefused()
    {
        var spec = new ResponseSpec { ResponseInResponseTo = null, ConfirmationInResponseTo = null };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec), outstanding: []), SamlRefusalReason.UnsolicitedResponse);
    }

    [Fact]
    public async Task InResponseToOnlyInTheUnsignedResponse_CountsAsUnsolicited()
    {
        // A stolen IdP-initiated assertion pasted into a response that claims to answer our request.
        var spec = new ResponseSpec { ConfirmationInResponseTo = null };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.UnsolicitedResponse);
    }

    [Fact]
    public async Task SignedByAnotherKey_WithoutKeyInfo_IsRefused()
    {
        var document = Idp.SignedAssertion(key: TestKeys.Shared.Attacker, options: new Idp.SignOptions { IncludeKeyInfo = false });
        AssertRefused(await ValidateAsync(document), SamlRefusalReason.SignatureInvalid);
    }

    [Fact]
    public async Task SelfSignedCertificateInKeyInfo_IsNeverTrusted()
    {
        // The attacker's certificate has the IdP's subject name and travels in KeyInfo: CheckSignature() would use it.
        var document = Idp.SignedAssertion(key: TestKeys.Shared.Attacker);
        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnpinnedSigningCertificate);
    }

    [Fact]
    public async Task PinnedCertificateInKeyInfo_ButSignedWithAnotherKey_IsRefused()
    {
        var document = Idp.SignedAssertion(key: TestKeys.Shared.Attacker, options: new Idp.SignOptions { IncludeKeyInfo = false });
        var signature = (XmlElement)document.GetElementsByTagName("Signature", Idp.Ds)[0]!;
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(TestKeys.Shared.Idp));
        signature.AppendChild(document.ImportNode(keyInfo.GetXml(), deep: true));

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.SignatureInvalid);
    }

    [Fact]
    public async Task SignatureMethodSwitchedToEcdsa_WithAnRsaPin_IsRefused()
    {
        // Algorithm switching: the attacker signs with his own ECDSA key; no pinned key is of that type.
        var document = Idp.SignedAssertion(key: TestKeys.Ecdsa("CN=Test IdP"), options: new Idp.SignOptions { SignatureMethod = SamlNames.EcdsaSha256 });
        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnpinnedSigningCertificate);
    }

    [Fact]
    public async Task Sha1Signature_WhenNotAllowed_IsRefused()
    {
        var document = Idp.SignedAssertion(options: new Idp.SignOptions { SignatureMethod = SamlNames.RsaSha1, DigestMethod = SamlNames.Sha1 });
        AssertRefused(await ValidateAsync(document), SamlRefusalReason.Sha1NotAllowed);
    }

    [Fact]
    public async Task Sha1Digest_UnderASha256Signature_WhenNotAllowed_IsRefused()
    {
        var document = Idp.SignedAssertion(options: new Idp.SignOptions { DigestMethod = SamlNames.Sha1 });
        AssertRefused(await ValidateAsync(document), SamlRefusalReason.Sha1NotAllowed);
    }

    [Fact]
    public async Task TwoSignedAssertions_AreRefused()
    {
        var document = Idp.SignedAssertion();
        var second = Idp.SignedAssertion(new ResponseSpec { NameId = "bob@example.com" });
        Idp.Response(document).AppendChild(document.ImportNode(Idp.Assertion(second), deep: true));

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.AssertionCountOrPlacement);
    }

    [Fact]
    public async Task TransformBeyondTheAllowList_XPath_IsRefused()
    {
        var options = new Idp.SignOptions { Transforms = () => [new XmlDsigEnvelopedSignatureTransform(), XPathTransform()] };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(options: options)), SamlRefusalReason.TransformNotAllowed);
    }

    [Fact]
    public async Task TransformBeyondTheAllowList_CommentKeepingC14N_IsRefused()
    {
        var options = new Idp.SignOptions { Transforms = () => [new XmlDsigEnvelopedSignatureTransform(), new XmlDsigExcC14NWithCommentsTransform()] };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(options: options)), SamlRefusalReason.TransformNotAllowed);
    }

    [Fact]
    public async Task CanonicalizationBeyondTheAllowList_IsRefused()
    {
        var options = new Idp.SignOptions { Canonicalization = SignedXml.XmlDsigC14NWithCommentsTransformUrl };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(options: options)), SamlRefusalReason.CanonicalizationNotAllowed);
    }

    [Fact]
    public async Task HmacKeyedWithThePublicKey_IsRefused()
    {
        // Algorithm confusion: an HMAC "signature" keyed with the IdP's public certificate, which anyone has.
        var document = Idp.Build(new ResponseSpec());
        var assertion = Idp.Assertion(document);
        var signedXml = new SignedXml(document);
        var reference = new Reference("#" + assertion.GetAttribute("ID")) { DigestMethod = SamlNames.Sha256 };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signedXml.AddReference(reference);
        signedXml.SignedInfo!.CanonicalizationMethod = SamlNames.ExclusiveC14N;
        using var hmac = new HMACSHA256(TestKeys.Shared.Idp.RawData);
        signedXml.ComputeSignature(hmac);
        assertion.InsertAfter(document.ImportNode(signedXml.GetXml(), deep: true), assertion.FirstChild!.NextSibling);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.SignatureAlgorithmNotAllowed);
    }

    [Fact]
    public async Task DigestAlgorithmBeyondTheAllowList_IsRefused()
    {
        var document = Idp.SignedAssertion();
        var digestMethod = (XmlElement)document.GetElementsByTagName("DigestMethod", Idp.Ds)[0]!;
        digestMethod.SetAttribute("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#md5");

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DigestAlgorithmNotAllowed);
    }

    [Fact]
    public async Task ReferenceToAnotherElement_IsRefused()
    {
        // The assertion carries a valid signature whose reference points at the response: the signature says nothing
        // about the assertion that would be read.
        var document = Idp.Build(new ResponseSpec());
        var signature = Idp.Sign(Idp.Response(document), TestKeys.Shared.Idp);
        signature.ParentNode!.RemoveChild(signature);
        var assertion = Idp.Assertion(document);
        assertion.InsertAfter(signature, assertion.ChildNodes.OfType<XmlElement>().First());

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.ReferenceMismatch);
    }

    [Fact]
    public async Task ReferenceToTheWholeDocument_IsRefused()
    {
        var document = Idp.SignedAssertion(options: new Idp.SignOptions { ReferenceUri = "" });
        AssertRefused(await ValidateAsync(document), SamlRefusalReason.ReferenceMismatch);
    }

    [Fact]
    public async Task TwoReferences_AreRefused()
    {
        var document = Idp.SignedAssertion();
        var reference = (XmlElement)document.GetElementsByTagName("Reference", Idp.Ds)[0]!;
        reference.ParentNode!.AppendChild(reference.CloneNode(deep: true));

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.ReferenceMismatch);
    }

    [Fact]
    public async Task DigestMismatch_ContentAlteredAfterSigning_IsRefused()
    {
        var document = Idp.SignedAssertion();
        ((XmlElement)document.GetElementsByTagName("NameID", Idp.Saml)[0]!).InnerText = "mallory@example.com";

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DigestMismatch);
    }

    [Fact]
    public async Task SignatureValueAltered_IsRefused()
    {
        var document = Idp.SignedAssertion(options: new Idp.SignOptions { IncludeKeyInfo = false });
        var value = (XmlElement)document.GetElementsByTagName("SignatureValue", Idp.Ds)[0]!;
        var bytes = Convert.FromBase64String(value.InnerText);
        bytes[10] ^= 0x01;
        value.InnerText = Convert.ToBase64String(bytes);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.SignatureInvalid);
    }

    [Fact]
    public async Task StatusNotSuccess_IsRefused()
    {
        var spec = new ResponseSpec { Status = "urn:oasis:names:tc:SAML:2.0:status:Responder" };
        var result = await ValidateAsync(Idp.SignedBoth(spec));

        AssertRefused(result, SamlRefusalReason.StatusNotSuccess);
        Assert.Contains("Responder", result.Refusal!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignatureInAnUnexpectedPlace_IsRefused()
    {
        var document = Idp.SignedAssertion();
        var extensions = document.CreateElement("samlp", "Extensions", Idp.Samlp);
        var stray = Idp.SignedAssertion();
        extensions.AppendChild(document.ImportNode(stray.GetElementsByTagName("Signature", Idp.Ds)[0]!, deep: true));
        Idp.Response(document).InsertBefore(extensions, Idp.Assertion(document));

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnexpectedSignature);
    }

    [Fact]
    public async Task UnknownCondition_IsRefused()
    {
        var spec = new ResponseSpec { ExtraConditions = "<saml:Condition xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"saml:Whatever\"/>" };
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(spec)), SamlRefusalReason.UnsupportedCondition);
    }

    [Fact]
    public async Task NoAuthnStatement_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(new ResponseSpec { IncludeAuthnStatement = false })), SamlRefusalReason.MissingAuthnStatement);
    }

    [Fact]
    public async Task NoNameId_IsRefused()
    {
        var document = Idp.Build(new ResponseSpec());
        var nameId = document.GetElementsByTagName("NameID", Idp.Saml)[0]!;
        nameId.ParentNode!.RemoveChild(nameId);
        Idp.Sign(Idp.Assertion(document), TestKeys.Shared.Idp);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.MissingNameId);
    }

    [Fact]
    public async Task NoBearerConfirmation_IsRefused()
    {
        var document = Idp.Build(new ResponseSpec());
        ((XmlElement)document.GetElementsByTagName("SubjectConfirmation", Idp.Saml)[0]!).SetAttribute("Method", "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key");
        Idp.Sign(Idp.Assertion(document), TestKeys.Shared.Idp);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.NoBearerConfirmation);
    }

    [Fact]
    public async Task NoAssertion_IsRefused()
    {
        var document = Idp.Build(new ResponseSpec());
        Idp.Response(document).RemoveChild(Idp.Assertion(document));
        Idp.Sign(Idp.Response(document), TestKeys.Shared.Idp);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.NoAssertion);
    }

    [Fact]
    public async Task TooLarge_IsRefusedBeforeDecoding()
    {
        var huge = new string('A', 400 * 1024);
        AssertRefused(await ValidateAsync(huge), SamlRefusalReason.ResponseTooLarge);
    }

    [Fact]
    public async Task NotBase64_IsRefused()
    {
        AssertRefused(await ValidateAsync("<samlp:Response>not base64!</samlp:Response>"), SamlRefusalReason.InvalidEncoding);
    }

    [Fact]
    public async Task NotWellFormed_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.Encode("<samlp:Response xmlns:samlp=\"x\"><unclosed></samlp:Response>")), SamlRefusalReason.MalformedXml);
    }

    [Fact]
    public async Task DeepNesting_IsRefusedBeforeTheCanonicalizerRecurses()
    {
        var xml = $"<samlp:Response xmlns:samlp=\"{Idp.Samlp}\">{string.Concat(Enumerable.Repeat("<a>", 5000))}{string.Concat(Enumerable.Repeat("</a>", 5000))}</samlp:Response>";
        AssertRefused(await ValidateAsync(Idp.Encode(xml)), SamlRefusalReason.XmlTooDeep);
    }

    [Fact]
    public async Task ResponseWithoutStatus_IsRefused()
    {
        var document = Idp.Build(new ResponseSpec());
        var status = document.GetElementsByTagName("Status", Idp.Samlp)[0]!;
        status.ParentNode!.RemoveChild(status);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.MalformedResponse);
    }

    [Fact]
    public async Task AssertionTimeWithoutZone_IsRefused()
    {
        // A time without zone would be read in the server's local time.
        var document = Idp.Build(new ResponseSpec());
        var conditions = (XmlElement)document.GetElementsByTagName("Conditions", Idp.Saml)[0]!;
        conditions.SetAttribute("NotOnOrAfter", "2026-12-01T10:05:00");
        Idp.Sign(Idp.Assertion(document), TestKeys.Shared.Idp);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.MalformedResponse);
    }

    [Fact]
    public async Task AnAuthnRequestInsteadOfAResponse_IsRefused()
    {
        var xml = $"<samlp:AuthnRequest xmlns:samlp=\"{Idp.Samlp}\" ID=\"_x\" Version=\"2.0\"/>";
        AssertRefused(await ValidateAsync(Idp.Encode(xml)), SamlRefusalReason.NotASamlResponse);
    }

    private static XmlDsigXPathTransform XPathTransform()
    {
        var document = new XmlDocument();
        document.LoadXml($"<XPath xmlns=\"{Idp.Ds}\" xmlns:ds=\"{Idp.Ds}\">not(ancestor-or-self::ds:Signature)</XPath>");
        var transform = new XmlDsigXPathTransform();
        transform.LoadInnerXml(document.SelectNodes("/*")!);
        return transform;
    }
}
