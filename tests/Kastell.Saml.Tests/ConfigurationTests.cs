using Kastell.Saml.Tests.Infrastructure;
using static Kastell.Saml.Tests.Infrastructure.Harness;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests;

/// <summary>Invalid security configuration stops the caller instead of weakening a check; odd input is a refusal.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(301)]
    public void ClockSkew_OutOfRange_Throws(int seconds)
    {
        var options = new SamlSecurityOptions { ClockSkew = TimeSpan.FromSeconds(seconds) };
        Assert.Throws<ArgumentOutOfRangeException>(() => Validator(options));
    }

    [Fact]
    public void WeakIdpKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SamlIdentityProvider(ResponseSpec.IdpEntityId, [TestKeys.Rsa("CN=weak", 1024)]));
    }

    [Fact]
    public void IdentityProviderWithoutPins_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SamlIdentityProvider(ResponseSpec.IdpEntityId, []));
    }

    [Theory]
    [InlineData("relative/acs")]
    [InlineData("ftp://kastell.test/acs")]
    public void AcsUrl_MustBeAbsoluteHttp(string url)
    {
        Assert.Throws<ArgumentException>(() => new SamlServiceProvider(ResponseSpec.SpEntityId, url));
    }

    [Fact]
    public void DecryptionCertificate_WithoutPrivateKey_Throws()
    {
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(TestKeys.Shared.SpEncryption.RawData);
        Assert.Throws<ArgumentException>(() => new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl, decryptionCertificates: [publicOnly]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("AAAA")]
    [InlineData("PD94bWwgdmVyc2lvbj0iMS4wIj8+")]
    [InlineData("77u/PGE+PC9hPg==")]
    public async Task OddInput_IsARefusal_NeverAnException(string encoded)
    {
        var result = await ValidateAsync(encoded);
        Assert.False(result.Succeeded);
        Assert.NotNull(result.Refusal);
    }

    [Fact]
    public async Task ReplayStore_ForgetsIdsAfterTheirKeepUntil()
    {
        var time = new FixedTimeProvider(ResponseSpec.Now);
        var store = new InMemorySamlReplayStore(time);
        var token = TestContext.Current.CancellationToken;

        Assert.True(await store.TryRecordAsync("idp", "_a", ResponseSpec.Now.AddMinutes(5), token));
        Assert.False(await store.TryRecordAsync("idp", "_a", ResponseSpec.Now.AddMinutes(5), token));
        Assert.True(await store.TryRecordAsync("other-idp", "_a", ResponseSpec.Now.AddMinutes(5), token));
        time.Now = ResponseSpec.Now.AddMinutes(6);
        Assert.True(await store.TryRecordAsync("idp", "_b", ResponseSpec.Now.AddMinutes(10), token));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task AcceptedResponse_RecordsItsIdUntilItCouldNoLongerPass()
    {
        var time = new FixedTimeProvider(ResponseSpec.Now);
        var store = new RecordingStore();
        var validator = new SamlResponseValidator(ServiceProvider(), IdentityProvider(), new SamlSecurityOptions(), store, time);

        AssertAccepted(await validator.ValidateAsync(Idp.Encode(Idp.SignedAssertion()), [ResponseSpec.RequestId], TestContext.Current.CancellationToken));

        // The later of the confirmation's and the conditions' end bounds the assertion; the skew is added.
        Assert.Equal(ResponseSpec.Now.AddMinutes(5) + TimeSpan.FromMinutes(2), store.KeepUntil);
        Assert.Equal(ResponseSpec.IdpEntityId, store.Issuer);
    }

    private sealed class RecordingStore : ISamlReplayStore
    {
        public DateTimeOffset KeepUntil { get; private set; }

        public string? Issuer { get; private set; }

        public ValueTask<bool> TryRecordAsync(string issuer, string assertionId, DateTimeOffset keepUntil, CancellationToken cancellationToken)
        {
            Issuer = issuer;
            KeepUntil = keepUntil;
            return ValueTask.FromResult(true);
        }
    }
}
