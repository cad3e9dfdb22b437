using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Kastell.Saml.Tests.Infrastructure;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Requests;

public sealed class SamlAuthnRequestBuilderTests
{
    private static readonly FixedTimeProvider Time = new(ResponseSpec.Now);

    [Fact]
    public void Redirect_CarriesADeflatedRequest_WithTheReturnedId()
    {
        var unsigned = new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl);
        var request = SamlAuthnRequestBuilder.CreateRedirect(unsigned, Harness.IdentityProvider(), Time, new SamlAuthnRequestOptions { RelayState = "r/1 & 2", ForceAuthn = true, NameIdFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" });

        Assert.StartsWith("https://idp.test/sso/redirect?SAMLRequest=", request.Url, StringComparison.Ordinal);
        var query = Query(request.Url);
        Assert.Equal("r/1 & 2", query["RelayState"]);
        Assert.False(query.ContainsKey("Signature"));
        var xml = Inflate(query["SAMLRequest"]);
        var root = xml.DocumentElement!;
        Assert.Equal("AuthnRequest", root.LocalName);
        Assert.Equal(SamlNames.Protocol, root.NamespaceURI);
        Assert.Equal(request.RequestId, root.GetAttribute("ID"));
        Assert.Matches("^_[0-9a-f]{32}$", request.RequestId);
        Assert.Equal("https://idp.test/sso/redirect", root.GetAttribute("Destination"));
        Assert.Equal(ResponseSpec.AcsUrl, root.GetAttribute("AssertionConsumerServiceURL"));
        Assert.Equal(SamlNames.HttpPostBinding, root.GetAttribute("ProtocolBinding"));
        Assert.Equal("true", root.GetAttribute("ForceAuthn"));
        Assert.Equal("2026-12-01T10:00:00Z", root.GetAttribute("IssueInstant"));
        Assert.Equal(ResponseSpec.SpEntityId, root.GetElementsByTagName("Issuer", SamlNames.Assertion)[0]!.InnerText);
        Assert.Equal("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", ((XmlElement)root.GetElementsByTagName("NameIDPolicy", SamlNames.Protocol)[0]!).GetAttribute("Format"));
    }

    [Fact]
    public void Redirect_IsSignedOverTheQueryAsSent()
    {
        var request = SamlAuthnRequestBuilder.CreateRedirect(Harness.ServiceProvider(), Harness.IdentityProvider(), Time, new SamlAuthnRequestOptions { RelayState = "state+=/" });

        var rawQuery = request.Url[(request.Url.IndexOf('?', StringComparison.Ordinal) + 1)..];
        var signatureAt = rawQuery.IndexOf("&Signature=", StringComparison.Ordinal);
        var signedPart = rawQuery[..signatureAt];
        var signature = Convert.FromBase64String(Uri.UnescapeDataString(rawQuery[(signatureAt + "&Signature=".Length)..]));
        Assert.Equal(SamlNames.RsaSha256, Query(request.Url)["SigAlg"]);
        Assert.EndsWith("&SigAlg=" + Uri.EscapeDataString(SamlNames.RsaSha256), signedPart, StringComparison.Ordinal);
        using var rsa = TestKeys.Shared.SpSigning.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(Encoding.UTF8.GetBytes(signedPart), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Redirect_WithAnEcdsaKey_IsSignedWithEcdsaSha256()
    {
        var sp = new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl, TestKeys.Shared.IdpEcdsa);
        var request = SamlAuthnRequestBuilder.CreateRedirect(sp, Harness.IdentityProvider(), Time);

        var rawQuery = request.Url[(request.Url.IndexOf('?', StringComparison.Ordinal) + 1)..];
        var signatureAt = rawQuery.IndexOf("&Signature=", StringComparison.Ordinal);
        var signature = Convert.FromBase64String(Uri.UnescapeDataString(rawQuery[(signatureAt + "&Signature=".Length)..]));
        using var ecdsa = TestKeys.Shared.IdpEcdsa.GetECDsaPublicKey()!;
        Assert.True(ecdsa.VerifyData(Encoding.UTF8.GetBytes(rawQuery[..signatureAt]), signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Redirect_KeepsAQueryTheIdpUrlAlreadyHas()
    {
        var idp = new SamlIdentityProvider(ResponseSpec.IdpEntityId, [TestKeys.Shared.Idp], "https://idp.test/sso?tenant=acme");
        var request = SamlAuthnRequestBuilder.CreateRedirect(new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl), idp, Time);
        Assert.StartsWith("https://idp.test/sso?tenant=acme&SAMLRequest=", request.Url, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_AreFreshEachTime()
    {
        var sp = new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl);
        var ids = Enumerable.Range(0, 50).Select(_ => SamlAuthnRequestBuilder.CreateRedirect(sp, Harness.IdentityProvider(), Time).RequestId).ToHashSet();
        Assert.Equal(50, ids.Count);
    }

    [Fact]
    public void RelayStateOver80Bytes_IsAConfigurationError()
    {
        Assert.Throws<ArgumentException>(() => SamlAuthnRequestBuilder.CreateRedirect(Harness.ServiceProvider(), Harness.IdentityProvider(), Time, new SamlAuthnRequestOptions { RelayState = new string('x', 81) }));
    }

    [Fact]
    public void IdpWantingSignedRequests_WithoutAnSpKey_IsAConfigurationError()
    {
        var idp = new SamlIdentityProvider(ResponseSpec.IdpEntityId, [TestKeys.Shared.Idp], "https://idp.test/sso", wantAuthnRequestsSigned: true);
        Assert.Throws<InvalidOperationException>(() => SamlAuthnRequestBuilder.CreateRedirect(new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl), idp, Time));
    }

    [Fact]
    public void IdpWithoutRedirectEndpoint_IsAConfigurationError()
    {
        var idp = new SamlIdentityProvider(ResponseSpec.IdpEntityId, [TestKeys.Shared.Idp], singleSignOnServicePostUrl: "https://idp.test/post");
        Assert.Throws<InvalidOperationException>(() => SamlAuthnRequestBuilder.CreateRedirect(Harness.ServiceProvider(), idp, Time));
    }

    private static Dictionary<string, string> Query(string url) =>
        url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&')
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair[1]));

    private static XmlDocument Inflate(string base64)
    {
        using var input = new DeflateStream(new MemoryStream(Convert.FromBase64String(base64)), CompressionMode.Decompress);
        using var reader = new StreamReader(input, Encoding.UTF8);
        return Idp.Load(reader.ReadToEnd());
    }
}
