using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Forgot/reset password through real SMTP — on each database provider.</summary>
public abstract class PasswordResetTests(KastellHost host)
{
    private const string ResetSubject = "Reset your Kastell password";
    private const string NewPassword = "a brand new passphrase 2026";

    [Fact]
    public async Task ForgotPassword_AnswersAlikeForKnownAndUnknownAddresses_AndOnlyTheKnownOneGetsMail()
    {
        using var owner = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        var unknown = Journeys.UniqueEmail("nobody");

        using var a = host.CreateBrowser();
        var unknownResponse = await RequestResetAsync(a, unknown);
        using var b = host.CreateBrowser();
        var knownResponse = await RequestResetAsync(b, user.Email);

        Assert.Equal(HttpStatusCode.OK, knownResponse.StatusCode);
        Assert.Equal(knownResponse.StatusCode, unknownResponse.StatusCode);
        Assert.Contains("If an account exists for this address", b.LastPage, StringComparison.Ordinal);
        Assert.Equal(TestBrowser.WithoutTokens(a.LastPage!), TestBrowser.WithoutTokens(b.LastPage!));
        var mail = await Mails.WaitAsync(host, user.Email, ResetSubject);
        Assert.Contains("60 minutes", mail.TextBody, StringComparison.Ordinal);
        // Sent in order: the unknown address was asked for first, so a mail to it would have arrived already.
        Assert.DoesNotContain(host.Mail.Messages, m => m.IsAddressedTo(unknown));
    }

    [Fact]
    public async Task Reset_SetsTheNewPassword_EndsEverySession_AndTheLinkWorksOnce()
    {
        using var oldBrowser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(oldBrowser);
        Assert.Equal(HttpStatusCode.OK, (await oldBrowser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        var stampBefore = await StampAsync(user.Email);

        using var browser = host.CreateBrowser();
        await RequestResetAsync(browser, user.Email);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, user.Email, ResetSubject), "/account/reset-password");
        var response = await SubmitResetAsync(browser, link, NewPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Your password has been changed", browser.LastPage, StringComparison.Ordinal);
        // The old browser's cookie names a session that no longer exists.
        var old = await oldBrowser.GetAsync($"/o/{user.OrganizationSlug}");
        Assert.Equal(HttpStatusCode.Redirect, old.StatusCode);
        Assert.Contains("/account/sign-in", old.Headers.Location?.ToString(), StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var stored = await db.Users.SingleAsync(u => u.Email == user.Email, TestContext.Current.CancellationToken);
            Assert.NotEqual(stampBefore, stored.SecurityStamp);
            Assert.False(await db.UserSessions.AnyAsync(s => s.UserId == stored.Id, TestContext.Current.CancellationToken));
            Assert.Equal(2, await db.PasswordHistory.CountAsync(h => h.UserId == stored.Id, TestContext.Current.CancellationToken));
        }

        using var signIn = host.CreateBrowser();
        await Journeys.PasswordStepAsync(signIn, user.Email, user.Password);
        Assert.Contains("Sign-in failed", signIn.LastPage, StringComparison.Ordinal);
        await Journeys.SignInAsync(signIn, user with { Password = NewPassword });
        Assert.Equal(HttpStatusCode.OK, (await signIn.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        using var again = host.CreateBrowser();
        await again.GetAsync(link);
        Assert.Contains("invalid, has expired or has already been used", again.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_FromASignedInBrowser_EndsThatSessionToo_AndGrantsNoSessionWithoutTheSecondFactor()
    {
        var jar = new System.Net.CookieContainer();
        using var browser = host.CreateBrowser(jar);
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var oldCookie = jar.GetCookies(new Uri("https://localhost"))["__Host-Kastell"]!.Value;

        await RequestResetAsync(browser, user.Email);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, user.Email, ResetSubject), "/account/reset-password");
        await SubmitResetAsync(browser, link, NewPassword);
        Assert.Contains("Your password has been changed", browser.LastPage, StringComparison.Ordinal);

        // The link proves the mailbox, not the second factor: this browser is signed out, not signed in anew.
        Assert.Null(jar.GetCookies(new Uri("https://localhost"))["__Host-Kastell"]);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        var replayJar = new System.Net.CookieContainer();
        replayJar.Add(new System.Net.Cookie("__Host-Kastell", oldCookie, "/", "localhost") { Secure = true });
        using var replay = host.CreateBrowser(replayJar);
        Assert.Equal(HttpStatusCode.Redirect, (await replay.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        await Journeys.SignInAsync(browser, user with { Password = NewPassword });
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.NotEqual(oldCookie, jar.GetCookies(new Uri("https://localhost"))["__Host-Kastell"]!.Value);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var id = await db.Users.Where(u => u.Email == user.Email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(1, await db.UserSessions.CountAsync(s => s.UserId == id, TestContext.Current.CancellationToken));
        }
    }

    [Theory]
    [InlineData(Journeys.GoodPassword, "must differ from your last 5 passwords")]
    [InlineData("password1234", "too common")]
    [InlineData("short one", "at least 12 characters")]
    public async Task Reset_AppliesPolicyAndHistory_AndKeepsTheLinkUsable(string password, string reason)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        using var reset = host.CreateBrowser();
        await RequestResetAsync(reset, user.Email);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, user.Email, ResetSubject), "/account/reset-password");

        var refused = await SubmitResetAsync(reset, link, password);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(reason, reset.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode); // nothing revoked
        await SubmitResetAsync(reset, link, NewPassword);
        Assert.Contains("Your password has been changed", reset.LastPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("code", "dGFtcGVyZWQ")]
    [InlineData("code", "%%%")]
    [InlineData("userId", "00000000-0000-0000-0000-000000000001")]
    [InlineData("userId", "")]
    public async Task Reset_WithTamperedOrMalformedLink_SaysSo_AndChangesNothing(string parameter, string value)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        using var reset = host.CreateBrowser();
        await RequestResetAsync(reset, user.Email);
        var link = Mails.WithQuery(Mails.LinkTo(await Mails.WaitAsync(host, user.Email, ResetSubject), "/account/reset-password"), parameter, value);

        await reset.GetAsync(link);
        Assert.Contains("invalid, has expired or has already been used", reset.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("reset-password", FormNames(reset.LastPage!), StringComparison.Ordinal);

        // A forged post to the same URL is refused by the command as well.
        var forged = await reset.PostAsync(link, new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = reset.AnyAntiforgeryToken(),
            ["_handler"] = "reset-password",
            ["Input.Password"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        Assert.Contains("invalid, has expired or has already been used", reset.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        using var signIn = host.CreateBrowser();
        await Journeys.SignInAsync(signIn, user); // the old password still works
    }

    [Fact]
    public async Task ForgotPassword_WithMalformedAddress_IsRefused_AndSendsNothing()
    {
        using var browser = host.CreateBrowser();
        await browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = "not-an-address" });

        Assert.Contains("not a valid e-mail address", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("If an account exists", browser.LastPage, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> RequestResetAsync(TestBrowser browser, string email) =>
        browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

    internal static Task<HttpResponseMessage> SubmitResetAsync(TestBrowser browser, string link, string password) =>
        browser.SubmitAsync(link, "reset-password", new Dictionary<string, string>
        {
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    private static string FormNames(string page) =>
        string.Join(",", System.Text.RegularExpressions.Regex.Matches(page, "name=\"_handler\" value=\"([^\"]+)\"").Select(m => m.Groups[1].Value));

    private async Task<string?> StampAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Users.Where(u => u.Email == email).Select(u => u.SecurityStamp).SingleAsync(TestContext.Current.CancellationToken);
        }
    }
}

public sealed class PasswordResetTestsOnSqlite(SqliteHost host) : PasswordResetTests(host), IClassFixture<SqliteHost>;

public sealed class PasswordResetTestsOnPostgres(PostgresHost host) : PasswordResetTests(host), IClassFixture<PostgresHost>;
