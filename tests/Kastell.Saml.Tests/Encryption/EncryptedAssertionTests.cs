using System.Xml;
using Kastell.Saml.Tests.Infrastructure;
using static Kastell.Saml.Tests.Infrastructure.Harness;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Encryption;

/// <summary>Encrypted assertions that must not get through: tampered ciphertext, weak key transport, wrong keys,
/// wrapping hidden inside the ciphertext, and encryption that stands in for a signature.</summary>
public sealed class EncryptedAssertionTests
{
    [Fact]
    public async Task TamperedGcmCiphertext_IsRefused()
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption);
        FlipContentByte(document, 40);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DecryptionFailed);
    }

    [Fact]
    public async Task TamperedCbcInitializationVector_IsRefused()
    {
        // CBC is malleable: flipping a bit of the IV flips the same bit of the first plaintext block ("<saml:" turns
        // into "<raml:"). The result no longer parses; a flip that kept it well-formed would break the signature.
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption, Idp.Cipher.Aes256CbcWithEncryptedXml);
        FlipContentByte(document, 1);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DecryptionFailed);
    }

    [Fact]
    public async Task TamperedCbcLastBlock_IsRefusedWithTheSameReason()
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption, Idp.Cipher.Aes256CbcWithEncryptedXml);
        FlipContentByte(document, -1);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DecryptionFailed);
    }

    [Fact]
    public async Task Pkcs1KeyTransport_IsRefused()
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption, keyTransport: SamlNames.RsaPkcs1KeyTransport);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.EncryptionAlgorithmNotAllowed);
    }

    [Fact]
    public async Task EncryptedForAnotherServiceProvider_IsRefused()
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.OtherSpEncryption);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DecryptionFailed);
    }

    [Fact]
    public async Task EncryptedAssertion_WithoutADecryptionKey_IsRefused()
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption);

        AssertRefused(await ValidateAsync(document, serviceProvider: ServiceProvider(withDecryptionKey: false)), SamlRefusalReason.NoDecryptionKey);
    }

    [Fact]
    public async Task EncryptedUnsignedAssertion_InAnUnsignedResponse_IsRefused()
    {
        // Encryption with the SP's public key proves nothing about the sender: anyone can encrypt.
        var document = Idp.Build(new ResponseSpec());
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.SignatureMissing);
    }

    [Fact]
    public async Task PlainAssertion_WhenEncryptionIsRequired_IsRefused()
    {
        AssertRefused(await ValidateAsync(Idp.SignedAssertion(), new SamlSecurityOptions { RequireEncryptedAssertion = true }), SamlRefusalReason.EncryptedAssertionRequired);
    }

    [Fact]
    public async Task DuplicateIdHiddenInTheCiphertext_IsRefusedAfterDecryption()
    {
        // Inside the signed and encrypted assertion, an element carries the response's ID: invisible until decrypted.
        var document = Idp.Build(new ResponseSpec());
        var subject = (XmlElement)document.GetElementsByTagName("Subject", Idp.Saml)[0]!;
        subject.SetAttribute("Id", Idp.Response(document).GetAttribute("ID"));
        Idp.Sign(Idp.Assertion(document), TestKeys.Shared.Idp);
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption);

        AssertRefused(await ValidateAsync(document), SamlRefusalReason.DuplicateId);
    }

    [Fact]
    public async Task TwoAssertionsInsideTheCiphertext_AreRefused()
    {
        var document = Idp.SignedAssertion();
        var assertion = Idp.Assertion(document);
        var wrapper = document.CreateElement("saml", "Assertion", Idp.Saml);
        Idp.Response(document).ReplaceChild(wrapper, assertion);
        wrapper.AppendChild(assertion);
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption);

        var result = await ValidateAsync(document);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Refusal!.Reason, new[] { SamlRefusalReason.AssertionCountOrPlacement, SamlRefusalReason.UnexpectedSignature });
    }

    private static void FlipContentByte(XmlDocument document, int index)
    {
        var encryptedData = (XmlElement)document.GetElementsByTagName("EncryptedData", SamlNames.XmlEnc)[0]!;
        var cipherValue = encryptedData.ChildNodes.OfType<XmlElement>().Single(e => e.LocalName == "CipherData").FirstChild!;
        var bytes = Convert.FromBase64String(cipherValue.InnerText);
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;
        cipherValue.InnerText = Convert.ToBase64String(bytes);
    }
}
