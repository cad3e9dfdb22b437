using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Sign-up, mandatory MFA, sign-in, recovery codes, lockout and password policy — on each database provider.</summary>
public abstract class AccountTests(KastellHost host)
{
    [Fact]
    public async Task SignUp_CreatesUserOrganizationAndOwnerMembership_AndRequiresMfaEnrolment()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        var organizationName = "Müller & Söhne GmbH " + Guid.NewGuid().ToString("N")[..6];
        var response = await Journeys.SignUpAsync(browser, email, organizationName);

        // Sign-up signs nobody in: it answers "check your e-mail" (the same for a taken address, see EmailAccountTests).
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(Journeys.CheckEmailPath, TestBrowser.LocationOf(response));
        var signIn = await Journeys.PasswordStepAsync(browser, email, Journeys.GoodPassword);
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(signIn));
        KastellUser user;
        Organization org;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            user = await db.Users.SingleAsync(u => u.Email == email, TestContext.Current.CancellationToken);
            org = await db.Organizations.SingleAsync(o => o.Name == organizationName, TestContext.Current.CancellationToken);
            Assert.StartsWith("mueller-soehne-gmbh-", org.Slug, StringComparison.Ordinal);
            Assert.Equal(12, org.PasswordPolicy.MinimumLength);
            Assert.StartsWith("AQAAAA", user.PasswordHash, StringComparison.Ordinal); // Identity v3 format marker
            Assert.Equal(1, await db.PasswordHistory.CountAsync(h => h.UserId == user.Id, TestContext.Current.CancellationToken));
            // Without a tenant the membership is invisible (query filter; on PostgreSQL also row-level security).
            Assert.False(await db.OrganizationMembers.AnyAsync(m => m.UserId == user.Id, TestContext.Current.CancellationToken));
        }

        var (tenantScope, tenantDb) = host.OpenDb(org.Id);
        await using (tenantScope)
        {
            var member = await tenantDb.OrganizationMembers.SingleAsync(m => m.UserId == user.Id, TestContext.Current.CancellationToken);
            Assert.Equal(OrganizationRole.Owner, member.Role);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/o/anything")]
    [InlineData("/api/v1/o/anything")]
    public async Task WithoutSecondFactor_EverythingButEnrolmentIsClosed(string path)
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndSignInAsync(browser, Journeys.UniqueEmail(), "Gate Org");

        var response = await browser.GetAsync(path);

        if (path.StartsWith("/api", StringComparison.Ordinal))
        {
            // The API never reads the session cookie (ADR 0019): the half-signed-in session is anonymous there.
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(response));
        }
    }

    [Fact]
    public async Task Enrolment_WithWrongCode_IsRefused_AndMfaStaysOff()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAndSignInAsync(browser, email, "Wrong Code Org");
        var secret = (await browser.GetAsync("/account/mfa/setup")) is { StatusCode: HttpStatusCode.OK } ? TestBrowser.TotpSecretFrom(browser.LastPage!) : throw new InvalidOperationException();
        var wrong = TestBrowser.WrongTotpCode(secret);

        var response = await browser.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string> { ["Input.Code"] = wrong });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The code is not valid", browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(TestBrowser.RecoveryCodesFrom(browser.LastPage!));
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Users.Where(u => u.Email == email).Select(u => u.TwoFactorEnabled).SingleAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task SignIn_AfterEnrolment_AsksForTotp_ThenOpensTheApp()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);

        using var second = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(second, user.Email, user.Password);
        Assert.StartsWith("/account/sign-in/mfa", TestBrowser.LocationOf(password));
        var beforeSecondFactor = await second.GetAsync($"/o/{user.OrganizationSlug}"); // the password alone opens nothing
        Assert.Equal(HttpStatusCode.Redirect, beforeSecondFactor.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(beforeSecondFactor), StringComparison.Ordinal);

        var mfa = await second.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string>
        {
            ["Input.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
        });

        Assert.Equal(HttpStatusCode.Redirect, mfa.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task TotpCode_WorksOnlyOnce()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);
        var code = TestBrowser.NextTotpCode(user.TotpSecret);

        using var second = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(second, user.Email, user.Password);
        var accepted = await second.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);

        using var replay = host.CreateBrowser();
        password = await Journeys.PasswordStepAsync(replay, user.Email, user.Password);
        var replayed = await replay.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains("The code was not accepted", replay.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrolmentCode_CannotBeReplayedAtSignIn()
    {
        using var first = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAndSignInAsync(first, email, "Replay Org");
        await first.GetAsync("/account/mfa/setup");
        var secret = TestBrowser.TotpSecretFrom(first.LastPage!);
        var code = TestBrowser.NextTotpCode(secret);
        await first.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(10, TestBrowser.RecoveryCodesFrom(first.LastPage!).Count);

        using var second = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(second, email, Journeys.GoodPassword);
        var replayed = await second.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains("The code was not accepted", second.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecoveryCode_SignsInOnce_AndNeverAgain()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);
        var code = user.RecoveryCodes[3];

        using var second = host.CreateBrowser();
        await Journeys.PasswordStepAsync(second, user.Email, user.Password);
        var used = await second.SubmitAsync("/account/sign-in/recovery", "sign-in-recovery", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        using var third = host.CreateBrowser();
        await Journeys.PasswordStepAsync(third, user.Email, user.Password);
        var reused = await third.SubmitAsync("/account/sign-in/recovery", "sign-in-recovery", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("recovery code was not accepted", third.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAccount_AndWrongPassword_GiveTheSameAnswer()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);

        using var a = host.CreateBrowser();
        var wrongPassword = await Journeys.PasswordStepAsync(a, user.Email, "not the password at all");
        var wrongBody = TestBrowser.WithoutTokens(a.LastPage!);
        using var b = host.CreateBrowser();
        var unknown = await Journeys.PasswordStepAsync(b, Journeys.UniqueEmail("nobody"), "not the password at all");
        var unknownBody = TestBrowser.WithoutTokens(b.LastPage!);

        Assert.Equal(HttpStatusCode.OK, wrongPassword.StatusCode);
        Assert.Equal(wrongPassword.StatusCode, unknown.StatusCode);
        Assert.Contains("Sign-in failed", wrongBody, StringComparison.Ordinal);
        Assert.Equal(wrongBody, unknownBody);
    }

    [Fact]
    public async Task WrongPasswordsBeyondTheBudget_AreRefusedUnchecked_TheRightOneAlike_WithoutALockout()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);
        using var attacker = host.CreateBrowser();
        for (var i = 0; i < 10; i++) // the default burst: ten guesses at once
        {
            await Journeys.PasswordStepAsync(attacker, user.Email, $"guess number {i} wrong");
        }

        var right = await Journeys.PasswordStepAsync(attacker, user.Email, user.Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("Sign-in failed", attacker.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var stored = await db.Users.SingleAsync(u => u.Email == user.Email, TestContext.Current.CancellationToken);
            Assert.Null(stored.LockoutEnd); // throttled, not locked: the owner's known devices still get in
            Assert.Equal(0, stored.AccessFailedCount);
        }
    }

    [Theory]
    [InlineData("password1234", "too common")]
    [InlineData("short pw", "at least 12 characters")]
    public async Task SignUp_WithWeakPassword_IsRefusedWithAReason_AndCreatesNothing(string password, string reason)
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();

        var response = await Journeys.SignUpAsync(browser, email, "Weak Org", password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(reason, browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Users.AnyAsync(u => u.Email == email, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task SignUp_InGerman_ExplainsTheRuleInGerman()
    {
        using var browser = host.CreateBrowser();
        browser.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE,de;q=0.9");

        await Journeys.SignUpAsync(browser, Journeys.UniqueEmail(), "Schwach GmbH", "password1234");

        Assert.Contains("zu verbreitet", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("lang=\"de\"", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignUp_WithMalformedInput_ChangesNothing()
    {
        using var browser = host.CreateBrowser();
        var response = await browser.SubmitAsync("/account/sign-up", "sign-up", new Dictionary<string, string>
        {
            ["Input.Email"] = "not-an-email",
            ["Input.DisplayName"] = new string('x', 500),
            ["Input.OrganizationName"] = "",
            ["Input.Password"] = Journeys.GoodPassword,
            ["Input.ConfirmPassword"] = "something else",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not a valid e-mail address", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("is too long", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("do not match", browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Users.AnyAsync(u => u.Email == "not-an-email", TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task SignOut_EndsTheServerSideSession()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await browser.GetAsync("/");
        var token = browser.AnyAntiforgeryToken();
        int before;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == user.Email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            before = await db.UserSessions.CountAsync(s => s.UserId == userId, TestContext.Current.CancellationToken);
        }

        var signOut = await browser.PostAsync("/account/sign-out", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.True(before >= 1);
        var after = await browser.GetAsync($"/o/{user.OrganizationSlug}");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("https://localhost/account/sign-in", after.Headers.Location?.ToString());
    }

}

public sealed class AccountTestsOnSqlite(SqliteHost host) : AccountTests(host), IClassFixture<SqliteHost>;

public sealed class AccountTestsOnPostgres(PostgresHost host) : AccountTests(host), IClassFixture<PostgresHost>;
