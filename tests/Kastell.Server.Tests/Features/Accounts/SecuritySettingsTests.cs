using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Password change with re-authentication, and the organization password policy — on each provider.</summary>
public abstract class SecuritySettingsTests(KastellHost host)
{
    private const string NewPassword = "a completely different passphrase 7";

    [Fact]
    public async Task ChangePassword_WithoutValidCode_IsRefused_AndThePasswordStays()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        await ChangePasswordAsync(browser, user.Password, "000000", NewPassword);

        Assert.Contains("Password or code is not correct", browser.LastPage, StringComparison.Ordinal);
        using var again = host.CreateBrowser();
        var signIn = await Journeys.PasswordStepAsync(again, user.Email, user.Password);
        Assert.StartsWith("/account/sign-in/mfa", TestBrowser.LocationOf(signIn), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePasswordPage_TakesAnyChangedFlag_WithoutA500()
    {
        // Found by the attack matrix: a query value Blazor could not parse into the page's bool? made every request a 500.
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password?changed=01a2503b-f64e-7dcd")).StatusCode);
        Assert.DoesNotContain("Your password has been changed", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password?changed=true")).StatusCode);
        Assert.Contains("Your password has been changed", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_EndsEverySession_ThisBrowserGetsExactlyOneNewOne_AndTheOldPasswordIsRefused()
    {
        var jar = new CookieContainer();
        using var browser = host.CreateBrowser(jar);
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        using var other = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(other, user, 0); // leaves the next TOTP step for the re-authentication
        var oldCookie = SessionCookie(jar);

        var change = await ChangePasswordAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret), NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
        Assert.Equal("/account/session/renew", TestBrowser.LocationOf(change));
        Assert.Empty(await SessionIdsAsync(user.Email)); // between the change and the renewal, no session is alive
        var renew = await browser.GetAsync("/account/session/renew");
        Assert.Equal(HttpStatusCode.Redirect, renew.StatusCode);
        Assert.Equal("/account/password?changed=true", TestBrowser.LocationOf(renew));
        await browser.GetAsync("/account/password?changed=true");
        Assert.Contains("Your password has been changed", browser.LastPage, StringComparison.Ordinal);

        var newCookie = SessionCookie(jar);
        Assert.NotEqual(oldCookie, newCookie);
        Assert.Single(await SessionIdsAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        using var replay = host.CreateBrowser(WithSessionCookie(oldCookie));
        Assert.Equal(HttpStatusCode.Redirect, (await replay.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        using var copy = host.CreateBrowser(WithSessionCookie(newCookie));
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        using var withOld = host.CreateBrowser();
        await Journeys.PasswordStepAsync(withOld, user.Email, user.Password);
        Assert.Contains("Sign-in failed", withOld.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionRenewal_WorksOnce_AndNotWithoutAHandoff()
    {
        var jar = new CookieContainer();
        using var browser = host.CreateBrowser(jar);
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await ChangePasswordAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret), NewPassword);
        var handoff = jar.GetCookies(new Uri("https://localhost"))["__Host-Kastell-Handoff"]!.Value;

        Assert.Equal("/account/password?changed=true", TestBrowser.LocationOf(await browser.GetAsync("/account/session/renew")));

        // Replayed in a second browser, the used handoff signs nobody in.
        var replayJar = new CookieContainer();
        replayJar.Add(new Cookie("__Host-Kastell-Handoff", handoff, "/", "localhost") { Secure = true });
        using var replay = host.CreateBrowser(replayJar);
        Assert.Equal("/account/sign-in", TestBrowser.LocationOf(await replay.GetAsync("/account/session/renew")));
        // A tampered or missing handoff neither.
        using var forged = host.CreateBrowser(WithHandoff(handoff[..^4] + "AAAA"));
        Assert.Equal("/account/sign-in", TestBrowser.LocationOf(await forged.GetAsync("/account/session/renew")));
        using var anonymous = host.CreateBrowser();
        Assert.Equal("/account/sign-in", TestBrowser.LocationOf(await anonymous.GetAsync("/account/session/renew")));
        Assert.Single(await SessionIdsAsync(user.Email));
    }

    private static string SessionCookie(CookieContainer jar) =>
        jar.GetCookies(new Uri("https://localhost"))["__Host-Kastell"]?.Value ?? throw new InvalidOperationException("No session cookie.");

    private static CookieContainer WithSessionCookie(string value) => WithCookie("__Host-Kastell", value);

    private static CookieContainer WithHandoff(string value) => WithCookie("__Host-Kastell-Handoff", value);

    private static CookieContainer WithCookie(string name, string value)
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie(name, value, "/", "localhost") { Secure = true });
        return jar;
    }

    private async Task<List<string>> SessionIdsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            return await db.UserSessions.Where(s => s.UserId == userId).Select(s => s.Id).ToListAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task ChangePassword_BackToAPreviousPassword_IsRefusedByTheHistory()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        await ChangePasswordAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret), user.Password);

        Assert.Contains("must differ from your last 5 passwords", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Owner_TightensThePolicy_AndItAppliesToTheNextPasswordChange()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        var saved = await SavePolicyAsync(browser, user.OrganizationSlug, minimumLength: "40", requireDigit: true);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("The password policy has been saved", browser.LastPage, StringComparison.Ordinal);

        await ChangePasswordAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret), "only letters but not forty long");
        Assert.Contains("at least 40 characters", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("must contain a digit", browser.LastPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("129")]
    [InlineData("twelve")]
    public async Task Policy_WithOutOfRangeOrMalformedLength_IsRefused_AndNothingChanges(string minimumLength)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        await SavePolicyAsync(browser, user.OrganizationSlug, minimumLength, requireDigit: true);

        Assert.DoesNotContain("The password policy has been saved", browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var policy = await db.Organizations.Where(o => o.Slug == user.OrganizationSlug).Select(o => o.PasswordPolicy).AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(12, policy.MinimumLength);
            Assert.False(policy.RequireDigit);
        }
    }

    [Fact]
    public async Task Member_CannotChangeThePolicy_EvenWithAForgedPost()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        var orgId = await AddMemberAsync(owner.OrganizationSlug, member.Email);

        var page = await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/settings/password-policy");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("You are not allowed to do this", memberBrowser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"Input.MinimumLength\"", memberBrowser.LastPage, StringComparison.Ordinal);

        await memberBrowser.PostAsync($"/o/{owner.OrganizationSlug}/settings/password-policy", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = memberBrowser.AnyAntiforgeryToken(),
            ["_handler"] = "password-policy",
            ["Input.MinimumLength"] = "8",
            ["Input.HistoryLength"] = "0",
        });

        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var policy = await db.Organizations.Where(o => o.Id == orgId).Select(o => o.PasswordPolicy).AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(12, policy.MinimumLength);
            Assert.Equal(5, policy.HistoryLength);
        }
    }

    [Fact]
    public async Task OtherTenant_SeesNoPolicyPage()
    {
        using var alice = host.CreateBrowser();
        var a = await Journeys.SignUpAndEnrolAsync(alice);
        using var bob = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(bob);

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/o/{a.OrganizationSlug}/settings/password-policy")).StatusCode);
    }

    private static Task<HttpResponseMessage> ChangePasswordAsync(TestBrowser browser, string current, string code, string next) =>
        browser.SubmitAsync("/account/password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.Code"] = code,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = next,
        });

    private static Task<HttpResponseMessage> SavePolicyAsync(TestBrowser browser, string org, string minimumLength, bool requireDigit)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.MinimumLength"] = minimumLength,
            ["Input.HistoryLength"] = "5",
        };
        if (requireDigit)
        {
            fields["Input.RequireDigit"] = "true";
        }

        return browser.SubmitAsync($"/o/{org}/settings/password-policy", "password-policy", fields);
    }

    private async Task<Guid> AddMemberAsync(string slug, string email)
    {
        Guid orgId;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            orgId = await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(TestContext.Current.CancellationToken);
        }

        var (tenantScope, tenantDb) = host.OpenDb(orgId);
        await using (tenantScope)
        {
            var userId = await tenantDb.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            await tenantScope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(orgId, userId, OrganizationRole.Member, TestContext.Current.CancellationToken);
            await tenantDb.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        return orgId;
    }
}

public sealed class SecuritySettingsTestsOnSqlite(SqliteHost host) : SecuritySettingsTests(host), IClassFixture<SqliteHost>;

public sealed class SecuritySettingsTestsOnPostgres(PostgresHost host) : SecuritySettingsTests(host), IClassFixture<PostgresHost>;
