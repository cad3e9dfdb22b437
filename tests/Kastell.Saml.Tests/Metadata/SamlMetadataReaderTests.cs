using System.Text;
using System.Xml;
using Kastell.Saml.Tests.Infrastructure;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Metadata;

public sealed class SamlMetadataReaderTests
{
    private static readonly string IdpCertificate = Convert.ToBase64String(TestKeys.Shared.Idp.RawData);

    public static string IdpMetadata(string? keyDescriptors = null, string extraRootAttributes = "", string entityId = ResponseSpec.IdpEntityId, string id = "_metadata") => $"""
        <md:EntityDescriptor xmlns:md="{SamlNames.Metadata}" xmlns:ds="{Idp.Ds}" ID="{id}" entityID="{entityId}"{extraRootAttributes}>
          <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol {SamlNames.Protocol}">
            {keyDescriptors ?? $"<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{IdpCertificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"}
            <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
            <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
            <md:SingleSignOnService Binding="{SamlNames.HttpRedirectBinding}" Location="https://idp.test/sso/redirect"/>
            <md:SingleSignOnService Binding="{SamlNames.HttpPostBinding}" Location="https://idp.test/sso/post"/>
          </md:IDPSSODescriptor>
        </md:EntityDescriptor>
        """;

    private static SamlMetadataReadOptions Options(Action<SamlMetadataReadOptions>? _ = null) => new() { TimeProvider = new FixedTimeProvider(ResponseSpec.Now) };

    [Fact]
    public void Import_ReadsEndpointsCertificatesAndFormats()
    {
        var result = SamlMetadataReader.ReadIdentityProvider(IdpMetadata(), Options());

        Assert.True(result.Succeeded, result.Detail);
        var idp = result.IdentityProvider!;
        Assert.Equal(ResponseSpec.IdpEntityId, idp.EntityId);
        Assert.Equal("https://idp.test/sso/redirect", idp.SingleSignOnServiceRedirectUrl);
        Assert.Equal("https://idp.test/sso/post", idp.SingleSignOnServicePostUrl);
        Assert.Equal(TestKeys.Shared.Idp.RawData, Assert.Single(idp.SigningCertificates).RawData);
        Assert.Equal(["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"], idp.NameIdFormats);
        Assert.True(idp.WantAuthnRequestsSigned);
    }

    [Fact]
    public void Import_TakesKeysWithoutUse_AndSkipsEncryptionKeys()
    {
        var other = Convert.ToBase64String(TestKeys.Shared.IdpNext.RawData);
        var encryption = Convert.ToBase64String(TestKeys.Shared.OtherSpEncryption.RawData);
        var keys = $"<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{IdpCertificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            + $"<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{other}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            + $"<md:KeyDescriptor use=\"encryption\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{encryption}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";

        var result = SamlMetadataReader.ReadIdentityProvider(IdpMetadata(keys), Options());

        Assert.Equal(2, result.IdentityProvider!.SigningCertificates.Count);
    }

    [Fact]
    public async Task Import_FromAStream_Works()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(IdpMetadata()));
        var result = await SamlMetadataReader.ReadIdentityProviderAsync(stream, Options(), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Detail);
    }

    [Fact]
    public void Import_SelectsTheNamedEntity_FromAnEntitiesDescriptor()
    {
        var first = IdpMetadata(id: "_a").Replace("<md:EntityDescriptor xmlns:md=\"" + SamlNames.Metadata + "\"", "<md:EntityDescriptor", StringComparison.Ordinal);
        var second = IdpMetadata(entityId: "https://other-idp.test", id: "_b").Replace("<md:EntityDescriptor xmlns:md=\"" + SamlNames.Metadata + "\"", "<md:EntityDescriptor", StringComparison.Ordinal);
        var xml = $"<md:EntitiesDescriptor xmlns:md=\"{SamlNames.Metadata}\">{first}{second}</md:EntitiesDescriptor>";

        Assert.Equal(SamlMetadataError.EntityNotFound, SamlMetadataReader.ReadIdentityProvider(xml, Options()).Error);
        var named = SamlMetadataReader.ReadIdentityProvider(xml, new SamlMetadataReadOptions { EntityId = "https://other-idp.test", TimeProvider = new FixedTimeProvider(ResponseSpec.Now) });
        Assert.Equal("https://other-idp.test", named.IdentityProvider!.EntityId);
    }

    [Fact]
    public void SignedMetadata_VerifiesAgainstThePinnedCertificate()
    {
        var document = Idp.Load(IdpMetadata());
        Idp.Sign(document.DocumentElement!, TestKeys.Shared.Idp);
        var options = new SamlMetadataReadOptions { PinnedMetadataCertificate = TestKeys.Shared.Idp, TimeProvider = new FixedTimeProvider(ResponseSpec.Now) };

        var result = SamlMetadataReader.ReadIdentityProvider(document.OuterXml, options);

        Assert.True(result.Succeeded, result.Detail);
    }

    [Fact]
    public void SignedMetadata_WithAnotherKey_IsRefused()
    {
        var document = Idp.Load(IdpMetadata());
        Idp.Sign(document.DocumentElement!, TestKeys.Shared.Attacker);
        var options = new SamlMetadataReadOptions { PinnedMetadataCertificate = TestKeys.Shared.Idp, TimeProvider = new FixedTimeProvider(ResponseSpec.Now) };

        Assert.Equal(SamlMetadataError.SignatureInvalid, SamlMetadataReader.ReadIdentityProvider(document.OuterXml, options).Error);
    }

    [Fact]
    public void SignedMetadata_AlteredAfterSigning_IsRefused()
    {
        // The attacker swaps in his own signing certificate after the federation signed the metadata.
        var document = Idp.Load(IdpMetadata());
        Idp.Sign(document.DocumentElement!, TestKeys.Shared.Idp);
        var descriptor = (XmlElement)document.GetElementsByTagName("IDPSSODescriptor", SamlNames.Metadata)[0]!;
        var certificate = (XmlElement)descriptor.GetElementsByTagName("X509Certificate", Idp.Ds)[0]!;
        certificate.InnerText = Convert.ToBase64String(TestKeys.Shared.Attacker.RawData);
        var options = new SamlMetadataReadOptions { PinnedMetadataCertificate = TestKeys.Shared.Idp, TimeProvider = new FixedTimeProvider(ResponseSpec.Now) };

        Assert.Equal(SamlMetadataError.SignatureInvalid, SamlMetadataReader.ReadIdentityProvider(document.OuterXml, options).Error);
    }

    [Fact]
    public void UnsignedMetadata_WhenAPinIsGiven_IsRefused()
    {
        var options = new SamlMetadataReadOptions { PinnedMetadataCertificate = TestKeys.Shared.Idp, TimeProvider = new FixedTimeProvider(ResponseSpec.Now) };
        Assert.Equal(SamlMetadataError.SignatureMissing, SamlMetadataReader.ReadIdentityProvider(IdpMetadata(), options).Error);
    }

    [Fact]
    public void Metadata_WithADtd_IsRefused()
    {
        var xml = "<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + IdpMetadata().Replace(ResponseSpec.IdpEntityId, "&x;", StringComparison.Ordinal);
        Assert.Equal(SamlMetadataError.DtdProhibited, SamlMetadataReader.ReadIdentityProvider(xml, Options()).Error);
    }

    [Fact]
    public void ExpiredMetadata_IsRefused()
    {
        var result = SamlMetadataReader.ReadIdentityProvider(IdpMetadata(extraRootAttributes: " validUntil=\"2026-01-01T00:00:00Z\""), Options());
        Assert.Equal(SamlMetadataError.Expired, result.Error);
    }

    [Fact]
    public void WeakSigningKey_IsRefused()
    {
        var weak = Convert.ToBase64String(TestKeys.Rsa("CN=weak", 1024).RawData);
        var keys = $"<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{weak}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
        Assert.Equal(SamlMetadataError.WeakSigningKey, SamlMetadataReader.ReadIdentityProvider(IdpMetadata(keys), Options()).Error);
    }

    [Theory]
    [InlineData("<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>", SamlMetadataError.InvalidCertificate)]
    [InlineData("<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>***</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>", SamlMetadataError.InvalidCertificate)]
    [InlineData("", SamlMetadataError.NoSigningCertificate)]
    public void BrokenKeys_AreRefused(string keys, SamlMetadataError expected)
    {
        Assert.Equal(expected, SamlMetadataReader.ReadIdentityProvider(IdpMetadata(keys), Options()).Error);
    }

    [Theory]
    [InlineData("<not-metadata/>", SamlMetadataError.NotMetadata)]
    [InlineData("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>", SamlMetadataError.NoIdentityProviderDescriptor)]
    [InlineData("<unclosed>", SamlMetadataError.MalformedXml)]
    public void NotIdpMetadata_IsRefused(string xml, SamlMetadataError expected)
    {
        Assert.Equal(expected, SamlMetadataReader.ReadIdentityProvider(xml, Options()).Error);
    }

    [Fact]
    public void NoUsableSingleSignOnService_IsRefused()
    {
        var xml = IdpMetadata().Replace("https://idp.test/sso/redirect", "javascript:alert(1)", StringComparison.Ordinal).Replace("https://idp.test/sso/post", "/relative", StringComparison.Ordinal);
        Assert.Equal(SamlMetadataError.NoSingleSignOnService, SamlMetadataReader.ReadIdentityProvider(xml, Options()).Error);
    }

    [Fact]
    public void TooLargeMetadata_IsRefused()
    {
        var options = new SamlMetadataReadOptions { MaxBytes = 1024 };
        Assert.Equal(SamlMetadataError.TooLarge, SamlMetadataReader.ReadIdentityProvider(IdpMetadata(), options).Error);
    }
}
