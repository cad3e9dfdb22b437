using Kastell.Saml.Tests.Infrastructure;
using static Kastell.Saml.Tests.Infrastructure.Harness;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Responses;

/// <summary>The positive cases: what well-behaved identity providers send is accepted, with every value read.</summary>
public sealed class AcceptedResponseTests
{
    private static readonly SamlSecurityOptions ResponseSignatureSuffices = new() { RequireSignedAssertion = false };

    [Fact]
    public async Task SignedAssertion_IsAccepted_WithEveryValueRead()
    {
        var spec = new ResponseSpec();
        var principal = AssertAccepted(await ValidateAsync(Idp.SignedAssertion(spec)));

        Assert.Equal("alice@example.com", principal.NameId);
        Assert.Equal("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", principal.NameIdFormat);
        Assert.Equal(ResponseSpec.IdpEntityId, principal.Issuer);
        Assert.Equal("_session-1", principal.SessionIndex);
        Assert.Equal("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", principal.AuthnContextClassRef);
        Assert.Equal(ResponseSpec.Now.AddSeconds(-10), principal.AuthnInstant);
        Assert.Equal(ResponseSpec.Now.AddHours(8), principal.SessionNotOnOrAfter);
        Assert.Equal(spec.AssertionId, principal.AssertionId);
        Assert.Equal(ResponseSpec.RequestId, principal.InResponseTo);
        Assert.True(principal.AssertionSigned);
        Assert.False(principal.ResponseSigned);
        Assert.False(principal.AssertionEncrypted);
        var groups = Assert.Single(principal.Attributes, a => a.Name == "groups");
        Assert.Equal(["admins", "staff"], groups.Values);
        Assert.Equal("Groups", groups.FriendlyName);
        Assert.Equal("urn:oasis:names:tc:SAML:2.0:attrname-format:basic", Assert.Single(principal.Attributes, a => a.Name == "email").NameFormat);
    }

    [Fact]
    public async Task SignedResponse_IsAccepted_WhenASignedAssertionIsNotRequired()
    {
        var principal = AssertAccepted(await ValidateAsync(Idp.SignedResponse(), ResponseSignatureSuffices));
        Assert.True(principal.ResponseSigned);
        Assert.False(principal.AssertionSigned);
    }

    [Fact]
    public async Task SignedResponseAndAssertion_AreAccepted()
    {
        var principal = AssertAccepted(await ValidateAsync(Idp.SignedBoth()));
        Assert.True(principal.ResponseSigned);
        Assert.True(principal.AssertionSigned);
    }

    [Theory]
    [InlineData(Idp.Cipher.Aes256Gcm)]
    [InlineData(Idp.Cipher.Aes128Gcm)]
    [InlineData(Idp.Cipher.Aes256CbcWithEncryptedXml)]
    public async Task EncryptedSignedAssertion_IsDecryptedAndAccepted(Idp.Cipher cipher)
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption, cipher);

        var principal = AssertAccepted(await ValidateAsync(document, new SamlSecurityOptions { RequireEncryptedAssertion = true }));
        Assert.True(principal.AssertionEncrypted);
        Assert.True(principal.AssertionSigned);
        Assert.Equal("alice@example.com", principal.NameId);
    }

    [Fact]
    public async Task EncryptedAssertion_InASignedResponse_IsAccepted()
    {
        var document = Idp.SignedAssertion();
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption);
        Idp.Sign(Idp.Response(document), TestKeys.Shared.Idp);

        var principal = AssertAccepted(await ValidateAsync(document));
        Assert.True(principal.ResponseSigned && principal.AssertionSigned && principal.AssertionEncrypted);
    }

    [Fact]
    public async Task EncryptedAssertion_WithTheKeyBesideTheData_AndInheritedNamespaces_IsAccepted()
    {
        // The plaintext uses the saml prefix declared only on an ancestor, and the EncryptedKey is a sibling of
        // EncryptedData (both forms occur in the wild).
        var document = Idp.SignedAssertion(new ResponseSpec { DeclareSamlNamespaceOnAssertion = false });
        Idp.EncryptAssertion(document, TestKeys.Shared.SpEncryption, keyInsideKeyInfo: false);

        AssertAccepted(await ValidateAsync(document));
    }

    [Fact]
    public async Task EcdsaSignedAssertion_IsAccepted_WithAnEcdsaPin()
    {
        var document = Idp.SignedAssertion(key: TestKeys.Shared.IdpEcdsa, options: new Idp.SignOptions { SignatureMethod = SamlNames.EcdsaSha256 });
        AssertAccepted(await ValidateAsync(document, identityProvider: IdentityProvider(TestKeys.Shared.IdpEcdsa)));
    }

    [Fact]
    public async Task KeyRollover_SecondPinnedCertificate_IsAccepted()
    {
        var document = Idp.SignedAssertion(key: TestKeys.Shared.IdpNext);
        AssertAccepted(await ValidateAsync(document, identityProvider: IdentityProvider(TestKeys.Shared.Idp, TestKeys.Shared.IdpNext)));
    }

    [Fact]
    public async Task ClockSkew_WithinTheTolerance_IsAccepted()
    {
        // The IdP's clock runs 90 seconds ahead: NotBefore lies in our future, inside the two minutes allowed.
        var spec = new ResponseSpec { NotBefore = ResponseSpec.Now.AddSeconds(90) };
        AssertAccepted(await ValidateAsync(Idp.SignedAssertion(spec)));
    }

    [Fact]
    public async Task Sha1_IsAccepted_OnlyWhenExplicitlyAllowed()
    {
        var document = Idp.SignedAssertion(options: new Idp.SignOptions { SignatureMethod = SamlNames.RsaSha1, DigestMethod = SamlNames.Sha1 });
        AssertAccepted(await ValidateAsync(document, new SamlSecurityOptions { AllowInsecureSha1 = true }));
    }

    [Fact]
    public async Task UnsolicitedResponse_IsAccepted_OnlyWhenAllowed()
    {
        var spec = new ResponseSpec { ResponseInResponseTo = null, ConfirmationInResponseTo = null };
        var principal = AssertAccepted(await ValidateAsync(Idp.SignedAssertion(spec), new SamlSecurityOptions { AllowUnsolicitedResponses = true }, outstanding: []));
        Assert.Null(principal.InResponseTo);
    }

    [Fact]
    public async Task ResponseWithRsaSha512_IsAccepted()
    {
        var document = Idp.SignedAssertion(options: new Idp.SignOptions { SignatureMethod = SamlNames.RsaSha512, DigestMethod = SamlNames.Sha512 });
        AssertAccepted(await ValidateAsync(document));
    }
}
