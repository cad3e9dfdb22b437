using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Second-factor management on /account/security: a new authenticator app and new recovery codes.</summary>
public abstract class AccountSecurityTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewAuthenticator_AfterReauthentication_ReplacesTheOld_EndsSessions_AndRenewsThisOne()
    {
        var jar = new CookieContainer();
        using var browser = host.CreateBrowser(jar);
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        using var other = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(other, user, 0);
        var oldCookie = jar.GetCookies(new Uri("https://localhost"))["__Host-Kastell"]!.Value;

        var begin = await BeginResetAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));
        Assert.Equal(HttpStatusCode.OK, begin.StatusCode);
        var newSecret = TestBrowser.TotpSecretFrom(browser.LastPage!);
        Assert.NotEqual(user.TotpSecret, newSecret);
        // Until confirmed, the old app stays the one that counts.
        Assert.Equal(user.TotpSecret, await AuthenticatorKeyAsync(user.Email));

        var confirm = await browser.SubmitShownAsync("/account/security", "confirm-authenticator", new Dictionary<string, string> { ["Confirm.Code"] = TestBrowser.TotpCode(newSecret) });
        Assert.Equal("/account/session/renew", TestBrowser.LocationOf(confirm));
        Assert.Equal("/account/security?authenticator=reset", TestBrowser.LocationOf(await browser.GetAsync("/account/session/renew")));
        await browser.GetAsync("/account/security?authenticator=reset");
        Assert.Contains("Your authenticator app has been replaced", browser.LastPage, StringComparison.Ordinal);

        Assert.Equal(newSecret, await AuthenticatorKeyAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        var replayJar = new CookieContainer();
        replayJar.Add(new Cookie("__Host-Kastell", oldCookie, "/", "localhost") { Secure = true });
        using var replay = host.CreateBrowser(replayJar);
        Assert.Equal(HttpStatusCode.Redirect, (await replay.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        // A code of the old app no longer signs in; one of the new app does.
        using var signIn = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(signIn, user.Email, user.Password);
        var mfaPath = TestBrowser.LocationOf(password)!;
        var oldCode = await signIn.SubmitAsync(mfaPath, "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = TestBrowser.NextTotpCode(user.TotpSecret) });
        Assert.Equal(HttpStatusCode.OK, oldCode.StatusCode);
        Assert.Contains("The code was not accepted", signIn.LastPage, StringComparison.Ordinal);
        await Journeys.SignInAsync(signIn, user with { TotpSecret = newSecret });
        Assert.Equal(HttpStatusCode.OK, (await signIn.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        var events = await UserEventsAsync(user.Email);
        Assert.Contains(AccountEvents.MfaReset, events);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task NewAuthenticator_WithWrongPasswordOrCode_IsRefused_AndShowsNoSecret(bool rightPassword, bool rightCode)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        var response = await BeginResetAsync(browser, rightPassword ? user.Password : "not my password at all", rightCode ? TestBrowser.NextTotpCode(user.TotpSecret) : WrongCode(user.TotpSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Password or code is not correct", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"totp-key\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(user.TotpSecret, await AuthenticatorKeyAsync(user.Email));
    }

    [Fact]
    public async Task NewAuthenticator_ConfirmedWithAWrongCode_KeepsTheOldApp()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await BeginResetAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));
        var newSecret = TestBrowser.TotpSecretFrom(browser.LastPage!);

        // A code of the old app is not a code of the new one.
        var confirm = await browser.SubmitShownAsync("/account/security", "confirm-authenticator", new Dictionary<string, string> { ["Confirm.Code"] = WrongCode(newSecret) });

        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("The code is not valid", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(user.TotpSecret, await AuthenticatorKeyAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task NewAuthenticator_ConfirmWithoutReauthentication_ChangesNothing()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await browser.GetAsync("/account/security");

        // The confirm form only exists after re-authentication: a forged post of it has no secret to confirm.
        var forged = await browser.PostAsync("/account/security", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["_handler"] = "confirm-authenticator",
            ["Confirm.Code"] = TestBrowser.TotpCode(user.TotpSecret),
        });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode); // Blazor refuses a post of a form the page does not show
        Assert.Equal(user.TotpSecret, await AuthenticatorKeyAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task NewRecoveryCodes_AfterReauthentication_ReplaceTheOldOnes()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await browser.GetAsync("/account/security");
        Assert.Contains("You have 10 unused recovery codes.", browser.LastPage, StringComparison.Ordinal);

        var response = await RegenerateAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The old ones no longer work", browser.LastPage, StringComparison.Ordinal);
        var fresh = TestBrowser.RecoveryCodesFrom(browser.LastPage!);
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(user.RecoveryCodes));
        // Shown once: the next visit only counts them.
        await browser.GetAsync("/account/security");
        Assert.Empty(TestBrowser.RecoveryCodesFrom(browser.LastPage!));

        using var old = host.CreateBrowser();
        await Journeys.PasswordStepAsync(old, user.Email, user.Password);
        await old.SubmitAsync("/account/sign-in/recovery", "sign-in-recovery", new Dictionary<string, string> { ["Input.Code"] = user.RecoveryCodes[1] });
        Assert.Contains("The recovery code was not accepted", old.LastPage, StringComparison.Ordinal);
        using var renewed = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(renewed, user with { RecoveryCodes = fresh }, 0);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Contains(AccountEvents.RecoveryCodesRegenerated, await UserEventsAsync(user.Email));
    }

    [Fact]
    public async Task NewRecoveryCodes_WithAWrongCode_AreRefused_AndTheOldOnesStillWork()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        await RegenerateAsync(browser, user.Password, WrongCode(user.TotpSecret));

        Assert.Contains("Password or code is not correct", browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(TestBrowser.RecoveryCodesFrom(browser.LastPage!));
        using var other = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(other, user, 0);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.DoesNotContain(AccountEvents.RecoveryCodesRegenerated, await UserEventsAsync(user.Email));
    }

    [Fact]
    public async Task Anonymous_GetsTheSignInPage_AndCannotPost()
    {
        using var browser = host.CreateBrowser();
        var page = await browser.GetAsync("/account/security");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(page), StringComparison.Ordinal);

        await browser.GetAsync("/account/sign-in");
        var post = await browser.PostAsync("/account/security", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["_handler"] = "recovery-codes",
            ["Codes.Password"] = "whatever",
            ["Codes.Code"] = "123456",
        });
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(post), StringComparison.Ordinal);
        Assert.DoesNotContain("<li><code>", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutSecondFactor_ThePageIsClosed()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndSignInAsync(browser, Journeys.UniqueEmail(), "Org " + Guid.NewGuid().ToString("N")[..8]);

        var page = await browser.GetAsync("/account/security");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(page));
    }

    private static Task<HttpResponseMessage> BeginResetAsync(TestBrowser browser, string password, string code) =>
        browser.SubmitAsync("/account/security", "reset-authenticator", new Dictionary<string, string>
        {
            ["Reset.Password"] = password,
            ["Reset.Code"] = code,
        });

    private static Task<HttpResponseMessage> RegenerateAsync(TestBrowser browser, string password, string code) =>
        browser.SubmitAsync("/account/security", "recovery-codes", new Dictionary<string, string>
        {
            ["Codes.Password"] = password,
            ["Codes.Code"] = code,
        });

    /// <summary>A six-digit code that is none of the secret's codes within the accepted window.</summary>
    private static string WrongCode(string secret)
    {
        var valid = new[] { -30, 0, 30, 60 }.Select(s => TestBrowser.TotpCode(secret, DateTime.UtcNow.AddSeconds(s))).ToHashSet();
        return new[] { "000000", "111111", "222222" }.First(c => !valid.Contains(c));
    }

    /// <summary>The stored secret, read through Identity (the column itself is encrypted at rest).</summary>
    private async Task<string?> AuthenticatorKeyAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException("No such user.");
        return await users.GetAuthenticatorKeyAsync(user);
    }

    private async Task<List<AuditEventType>> UserEventsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var id = (await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct)).ToString();
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == null && e.TargetId == id).Select(e => e.Type).ToListAsync(Ct);
        }
    }
}

public sealed class AccountSecurityTestsOnSqlite(SqliteHost host) : AccountSecurityTests(host), IClassFixture<SqliteHost>;

public sealed class AccountSecurityTestsOnPostgres(PostgresHost host) : AccountSecurityTests(host), IClassFixture<PostgresHost>;
