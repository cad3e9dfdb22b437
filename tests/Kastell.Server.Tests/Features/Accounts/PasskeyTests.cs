using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// Passkeys on the server side: options, re-authentication before registration, and refusal of every answer that is
/// not a valid assertion. The full ceremony with a (virtual) authenticator runs in Kastell.Browser.Tests.
/// </summary>
public abstract class PasskeyTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestOptions_AskForUserVerification_AndNeedTheAntiforgeryToken()
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in");

        var options = await PostOptionsAsync(browser, "/account/passkeys/request-options");
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        using var json = JsonDocument.Parse(browser.LastPage!);
        Assert.Equal("required", json.RootElement.GetProperty("userVerification").GetString());
        Assert.Equal("localhost", json.RootElement.GetProperty("rpId").GetString());
        Assert.True(WebEncoders.Base64UrlDecode(json.RootElement.GetProperty("challenge").GetString()!).Length >= 16);

        var forged = await browser.PostAsync("/account/passkeys/request-options", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json at all")]
    [InlineData("{}")]
    [InlineData("{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\",\"authenticatorData\":\"AAAA\",\"signature\":\"AAAA\",\"userHandle\":\"AAAA\"},\"clientExtensionResults\":{}}")]
    public async Task SignIn_WithAMissingOrBadAssertion_Fails_AndOpensNoSession(string credentialJson)
    {
        using var owner = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in");
        await PostOptionsAsync(browser, "/account/passkeys/request-options");
        await browser.GetAsync("/account/sign-in");

        var response = await browser.SubmitShownAsync("/account/sign-in", "passkey-sign-in", new Dictionary<string, string> { ["Passkey.CredentialJson"] = credentialJson });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign-in with a passkey failed", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithoutOptionsFirst_Fails()
    {
        using var browser = host.CreateBrowser();
        var response = await browser.SubmitAsync("/account/sign-in", "passkey-sign-in", new Dictionary<string, string> { ["Passkey.CredentialJson"] = "{\"id\":\"AAAA\"}" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign-in with a passkey failed", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreationOptions_NeedSignInAndReauthentication()
    {
        using var anonymous = host.CreateBrowser();
        await anonymous.GetAsync("/account/sign-in");
        var unauthenticated = await PostOptionsAsync(anonymous, "/account/passkeys/creation-options");
        Assert.Equal(HttpStatusCode.Redirect, unauthenticated.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(unauthenticated), StringComparison.Ordinal);

        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await browser.GetAsync("/account/security");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostOptionsAsync(browser, "/account/passkeys/creation-options")).StatusCode);

        var wrong = await GrantAsync(browser, user.Password, "000000" == TestBrowser.TotpCode(user.TotpSecret) ? "111111" : "000000");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Password or code is not correct", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostOptionsAsync(browser, "/account/passkeys/creation-options")).StatusCode);

        await GrantAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));
        Assert.Contains("data-passkey=\"create\"", browser.LastPage, StringComparison.Ordinal);
        var options = await PostOptionsAsync(browser, "/account/passkeys/creation-options");
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        using var json = JsonDocument.Parse(browser.LastPage!);
        Assert.Equal(user.Email, json.RootElement.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", json.RootElement.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal("required", json.RootElement.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());

        // The grant belongs to that session: the same user in another browser gets no options.
        using var other = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(other, user, 0);
        await other.GetAsync("/account/security");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostOptionsAsync(other, "/account/passkeys/creation-options")).StatusCode);
    }

    [Fact]
    public async Task Registration_WithABadAttestation_StoresNothing_AndSpendsTheGrant()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await GrantAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));
        var addPage = browser.LastPage!;
        await PostOptionsAsync(browser, "/account/passkeys/creation-options");

        var bogus = "{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\",\"attestationObject\":\"oA\"},\"clientExtensionResults\":{}}";
        await PostShownFormAsync(browser, addPage, "add-passkey", new Dictionary<string, string> { ["AddPasskey.Name"] = "Fake", ["AddPasskey.CredentialJson"] = bogus });

        Assert.Contains("The passkey was not accepted", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, await PasskeyCountAsync(user.Email));
        // Spent: the same form cannot be posted again without a new re-authentication.
        var again = await PostShownFormAsync(browser, addPage, "add-passkey", new Dictionary<string, string> { ["AddPasskey.Name"] = "Fake", ["AddPasskey.CredentialJson"] = bogus });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode); // the form is gone: Blazor refuses the post
        Assert.Equal(0, await PasskeyCountAsync(user.Email));
    }

    [Fact]
    public async Task Removal_OfAnotherUsersPasskey_RemovesNothing_AndOfOnesOwn_NeedsReauthentication()
    {
        using var aliceBrowser = host.CreateBrowser();
        var alice = await Journeys.SignUpAndEnrolAsync(aliceBrowser);
        var aliceKey = await AddStoredPasskeyAsync(alice.Email, "Alice's phone");
        using var malloryBrowser = host.CreateBrowser();
        var mallory = await Journeys.SignUpAndEnrolAsync(malloryBrowser);
        await AddStoredPasskeyAsync(mallory.Email, "Mallory's laptop");

        await RemoveAsync(malloryBrowser, aliceKey, mallory.Password, TestBrowser.NextTotpCode(mallory.TotpSecret));
        Assert.Contains("There is no such passkey on your account", malloryBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(1, await PasskeyCountAsync(alice.Email));

        await RemoveAsync(aliceBrowser, aliceKey, alice.Password, "000000" == TestBrowser.TotpCode(alice.TotpSecret) ? "111111" : "000000");
        Assert.Contains("Password or code is not correct", aliceBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(1, await PasskeyCountAsync(alice.Email));

        await RemoveAsync(aliceBrowser, aliceKey, alice.Password, TestBrowser.NextTotpCode(alice.TotpSecret));
        Assert.Contains("The passkey has been removed", aliceBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, await PasskeyCountAsync(alice.Email));
        Assert.Equal(1, await PasskeyCountAsync(mallory.Email));

        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var id = (await db.Users.Where(u => u.Email == alice.Email).Select(u => u.Id).SingleAsync(Ct)).ToString();
            Assert.Contains(await db.AuditEvents.Where(e => e.TargetId == id).Select(e => e.Type).ToListAsync(Ct), t => t == AccountEvents.PasskeyRemoved);
        }
    }

    private static async Task<HttpResponseMessage> PostOptionsAsync(TestBrowser browser, string path)
    {
        var token = browser.AnyAntiforgeryToken();
        return await browser.PostAsync(path, new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
    }

    private static Task<HttpResponseMessage> GrantAsync(TestBrowser browser, string password, string code) =>
        browser.SubmitAsync("/account/security", "passkey-grant", new Dictionary<string, string> { ["Grant.Password"] = password, ["Grant.Code"] = code });

    private static Task<HttpResponseMessage> RemoveAsync(TestBrowser browser, string id, string password, string code) =>
        browser.SubmitAsync("/account/security", "remove-passkey", new Dictionary<string, string>
        {
            ["Remove.Id"] = id,
            ["Remove.Password"] = password,
            ["Remove.Code"] = code,
        });

    private static Task<HttpResponseMessage> PostShownFormAsync(TestBrowser browser, string page, string form, Dictionary<string, string> fields) =>
        browser.SubmitShownAsync("/account/security", form, fields, page);

    /// <summary>A passkey row as Identity stores it (no ceremony needed to test who may remove it).</summary>
    private async Task<string> AddStoredPasskeyAsync(string email, string name)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException("No such user.");
        var credentialId = RandomNumberGenerator.GetBytes(32);
        var passkey = new UserPasskeyInfo(credentialId, RandomNumberGenerator.GetBytes(77), DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [0xa0], [0x7b, 0x7d]) { Name = name };
        Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);
        return WebEncoders.Base64UrlEncode(credentialId);
    }

    private async Task<int> PasskeyCountAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
            return await db.UserPasskeys.CountAsync(p => p.UserId == id, Ct);
        }
    }
}

public sealed class PasskeyTestsOnSqlite(SqliteHost host) : PasskeyTests(host), IClassFixture<SqliteHost>;

public sealed class PasskeyTestsOnPostgres(PostgresHost host) : PasskeyTests(host), IClassFixture<PostgresHost>;
