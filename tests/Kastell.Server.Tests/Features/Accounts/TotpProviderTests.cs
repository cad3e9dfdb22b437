using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// The TOTP provider itself, called the way Identity calls it: a code works once (a replay of the same step, or an
/// older step, is refused), malformed codes and users without an authenticator are refused, the provider counts as
/// usable only for users with an authenticator key, and the server never produces a code. Found by mutation testing
/// (bench/mutation.sh totp): each of these checks could be inverted without any other test noticing.
/// </summary>
public sealed class TotpProviderTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private const string Purpose = "TwoFactor";

    [Fact]
    public async Task AcceptedCode_IsRefusedTheSecondTime_AndAnOlderStepAfterIt()
    {
        using var browser = host.CreateBrowser();
        var enrolled = await Journeys.SignUpAndEnrolAsync(browser);
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
        var user = (await users.FindByEmailAsync(enrolled.Email))!;
        var provider = new ReplayProtectedAuthenticatorTokenProvider();
        var next = TestBrowser.NextTotpCode(enrolled.TotpSecret); // the step after the one enrolment used

        Assert.True(await provider.ValidateAsync(Purpose, next, users, user));
        Assert.False(await provider.ValidateAsync(Purpose, next, users, user));
        Assert.False(await provider.ValidateAsync(Purpose, TestBrowser.TotpCode(enrolled.TotpSecret), users, user));
    }

    [Fact]
    public async Task MalformedCodes_AndAUserWithoutAuthenticator_AreRefused()
    {
        using var browser = host.CreateBrowser();
        var enrolled = await Journeys.SignUpAndEnrolAsync(browser);
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
        var user = (await users.FindByEmailAsync(enrolled.Email))!;
        var provider = new ReplayProtectedAuthenticatorTokenProvider();

        foreach (var code in new[] { "", "12345", "1234567", "12a456", " 123456" })
        {
            Assert.False(await provider.ValidateAsync(Purpose, code, users, user), $"'{code}' was accepted");
        }

        var withoutAuthenticator = new KastellUser { Id = Guid.NewGuid(), UserName = "none@example.test", Email = "none@example.test" };
        Assert.False(await provider.ValidateAsync(Purpose, TestBrowser.NextTotpCode(enrolled.TotpSecret), users, withoutAuthenticator));
        Assert.False(await provider.CanGenerateTwoFactorTokenAsync(users, withoutAuthenticator));
        Assert.True(await provider.CanGenerateTwoFactorTokenAsync(users, user));
        Assert.Equal(string.Empty, await provider.GenerateAsync(Purpose, users, user)); // codes come from the user's app only
    }
}
