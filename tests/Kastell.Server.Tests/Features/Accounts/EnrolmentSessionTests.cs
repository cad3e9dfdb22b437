using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// Enrolling the first second factor never upgrades the password-only session in place: it ends that session and the
/// browser continues with a fresh session id through the single-use handoff (session fixation, ADR 0008).
/// </summary>
public abstract class EnrolmentSessionTests(KastellHost host)
{
    private const string SessionCookie = "__Host-Kastell";
    private static readonly Uri Origin = new("https://localhost");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enrolment_EndsThePasswordOnlySession_AndTheBrowserContinuesWithANewOne()
    {
        var jar = new CookieContainer();
        using var browser = host.CreateBrowser(jar);
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAndSignInAsync(browser, email, "Org " + Guid.NewGuid().ToString("N")[..8]);
        var preEnrolment = jar.GetCookies(Origin)[SessionCookie]!.Value;
        var preEnrolmentSessions = await SessionIdsAsync(email);
        Assert.Single(preEnrolmentSessions);

        await browser.GetAsync("/account/mfa/setup");
        var secret = TestBrowser.TotpSecretFrom(browser.LastPage!);
        var enrol = await browser.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string> { ["Input.Code"] = TestBrowser.TotpCode(secret) });
        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        Assert.Equal(10, TestBrowser.RecoveryCodesFrom(browser.LastPage!).Count);
        // Between the enrolment and the renewal no session of the user is alive: the pre-MFA row is gone.
        Assert.Empty(await SessionIdsAsync(email));

        var renew = await browser.GetAsync("/account/session/renew");
        Assert.Equal(HttpStatusCode.Redirect, renew.StatusCode);
        Assert.Equal("/", TestBrowser.LocationOf(renew));
        var renewed = jar.GetCookies(Origin)[SessionCookie]!.Value;
        Assert.NotEqual(preEnrolment, renewed);
        var sessions = await SessionIdsAsync(email);
        Assert.Single(sessions);
        Assert.DoesNotContain(preEnrolmentSessions[0], sessions);

        // The new cookie is a second-factor session; the pre-enrolment cookie reaches nothing, not even enrolment.
        using var withNew = host.CreateBrowser(WithSessionCookie(renewed));
        Assert.Equal(HttpStatusCode.OK, (await withNew.GetAsync("/account/security")).StatusCode);
        using var withOld = host.CreateBrowser(WithSessionCookie(preEnrolment));
        var old = await withOld.GetAsync("/account/mfa/setup");
        Assert.Equal(HttpStatusCode.Redirect, old.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(old), StringComparison.Ordinal);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await withOld.GetAsync("/account/security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrolment_WithAWrongCode_KeepsThePasswordOnlySession_AndHandsNothingOff()
    {
        var jar = new CookieContainer();
        using var browser = host.CreateBrowser(jar);
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAndSignInAsync(browser, email, "Org " + Guid.NewGuid().ToString("N")[..8]);
        var sessions = await SessionIdsAsync(email);
        await browser.GetAsync("/account/mfa/setup");
        var secret = TestBrowser.TotpSecretFrom(browser.LastPage!);
        var valid = new[] { -30, 0, 30, 60 }.Select(s => TestBrowser.TotpCode(secret, DateTime.UtcNow.AddSeconds(s))).ToHashSet();

        var enrol = await browser.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string> { ["Input.Code"] = new[] { "000000", "111111", "222222" }.First(c => !valid.Contains(c)) });

        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        Assert.Empty(TestBrowser.RecoveryCodesFrom(browser.LastPage!));
        Assert.Null(jar.GetCookies(Origin)["__Host-Kastell-Handoff"]);
        Assert.Equal(sessions, await SessionIdsAsync(email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/mfa/setup")).StatusCode);
        // Still password-only: the renewal has nothing to redeem and the MFA-only pages stay shut.
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(await browser.GetAsync("/account/security")));
    }

    private static CookieContainer WithSessionCookie(string value)
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie(SessionCookie, value, "/", "localhost") { Secure = true });
        return jar;
    }

    private async Task<List<string>> SessionIdsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
            return await db.UserSessions.Where(s => s.UserId == userId).Select(s => s.Id).ToListAsync(Ct);
        }
    }
}

public sealed class EnrolmentSessionTestsOnSqlite(SqliteHost host) : EnrolmentSessionTests(host), IClassFixture<SqliteHost>;

public sealed class EnrolmentSessionTestsOnPostgres(PostgresHost host) : EnrolmentSessionTests(host), IClassFixture<PostgresHost>;
