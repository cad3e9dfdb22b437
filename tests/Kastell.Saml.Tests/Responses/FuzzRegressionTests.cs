using System.Xml;
using Kastell.Saml.Tests.Infrastructure;
using static Kastell.Saml.Tests.Infrastructure.Harness;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Responses;

/// <summary>
/// Inputs the fuzz harness (bench/fuzz-saml.sh) made throw, kept as refusals. SignedXml decodes SignatureValue and
/// DigestValue with Convert.FromBase64String and parses KeyInfo certificates: a FormatException escaped as a crash.
/// </summary>
public sealed class FuzzRegressionTests
{
    [Theory]
    [InlineData("SignatureValue")]
    [InlineData("DigestValue")]
    public async Task InvalidBase64InTheSignature_IsRefused(string element)
    {
        var document = Idp.SignedAssertion();
        ((XmlElement)document.GetElementsByTagName(element, Idp.Ds)[0]!).InnerText = "!!not*base64==";

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.MalformedSignature);
    }

    [Fact]
    public async Task GarbageCertificateInKeyInfo_IsNeverParsed()
    {
        // KeyInfo is outside what the signature covers and is never used: a valid signature with garbage there is
        // accepted, and nothing parses the garbage.
        var document = Idp.SignedAssertion();
        ((XmlElement)document.GetElementsByTagName("X509Certificate", Idp.Ds)[0]!).InnerText = "*garbage*";

        AssertAccepted(await ValidateAsync(document));
    }

    [Fact]
    public async Task GarbageCertificateInKeyInfo_WithAForeignSignature_IsRefused()
    {
        var document = Idp.SignedAssertion(key: TestKeys.Shared.Attacker);
        ((XmlElement)document.GetElementsByTagName("X509Certificate", Idp.Ds)[0]!).InnerText = "MIIB";

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.UnpinnedSigningCertificate);
    }
}
