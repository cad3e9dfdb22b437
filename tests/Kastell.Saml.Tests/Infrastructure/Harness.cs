using System.Security.Cryptography.X509Certificates;
using System.Xml;

namespace Kastell.Saml.Tests.Infrastructure;

/// <summary>A clock that stands still where the test puts it.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The service provider and identity provider the tests validate against.</summary>
public static class Harness
{
    public static SamlServiceProvider ServiceProvider(bool withDecryptionKey = true) => new(
        ResponseSpec.SpEntityId,
        ResponseSpec.AcsUrl,
        TestKeys.Shared.SpSigning,
        withDecryptionKey ? [TestKeys.Shared.SpEncryption] : []);

    public static SamlIdentityProvider IdentityProvider(params X509Certificate2[] pinned) => new(
        ResponseSpec.IdpEntityId,
        pinned.Length == 0 ? [TestKeys.Shared.Idp] : pinned,
        "https://idp.test/sso/redirect",
        "https://idp.test/sso/post");

    public static SamlResponseValidator Validator(
        SamlSecurityOptions? options = null,
        DateTimeOffset? now = null,
        ISamlReplayStore? store = null,
        SamlIdentityProvider? identityProvider = null,
        SamlServiceProvider? serviceProvider = null)
    {
        var time = new FixedTimeProvider(now ?? ResponseSpec.Now);
        return new SamlResponseValidator(
            serviceProvider ?? ServiceProvider(),
            identityProvider ?? IdentityProvider(),
            options ?? new SamlSecurityOptions(),
            store ?? new InMemorySamlReplayStore(time),
            time);
    }

    public static Task<SamlValidationResult> ValidateAsync(XmlDocument document, SamlSecurityOptions? options = null, DateTimeOffset? now = null, IReadOnlyCollection<string>? outstanding = null, SamlIdentityProvider? identityProvider = null, SamlServiceProvider? serviceProvider = null) =>
        ValidateAsync(TestIdentityProvider.Encode(document), options, now, outstanding, identityProvider, serviceProvider);

    public static Task<SamlValidationResult> ValidateAsync(string encoded, SamlSecurityOptions? options = null, DateTimeOffset? now = null, IReadOnlyCollection<string>? outstanding = null, SamlIdentityProvider? identityProvider = null, SamlServiceProvider? serviceProvider = null) =>
        Validator(options, now, identityProvider: identityProvider, serviceProvider: serviceProvider)
            .ValidateAsync(encoded, outstanding ?? [ResponseSpec.RequestId], TestContext.Current.CancellationToken);

    public static void AssertRefused(SamlValidationResult result, SamlRefusalReason expected)
    {
        Assert.False(result.Succeeded, $"expected a refusal with {expected}, but the response was accepted");
        Assert.Equal(expected, result.Refusal!.Reason);
        Assert.Null(result.Principal);
    }

    public static SamlPrincipal AssertAccepted(SamlValidationResult result)
    {
        Assert.True(result.Succeeded, result.ToString());
        return result.Principal!;
    }
}
