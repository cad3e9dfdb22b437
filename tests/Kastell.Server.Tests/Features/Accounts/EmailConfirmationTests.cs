using System.Net;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Sign-up e-mails: confirmation link, no account enumeration, re-sending — on each database provider, through real SMTP.</summary>
public abstract class EmailConfirmationTests(KastellHost host)
{
    private const string ConfirmSubject = "Confirm your e-mail address";

    [Fact]
    public async Task SignUp_MailsAConfirmationLink_InTextAndHtml_AndTheLinkConfirms()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAsync(browser, email, "Confirm Org");

        var mail = await Mails.WaitAsync(host, email, ConfirmSubject);
        Assert.Contains("Please confirm", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Please confirm", mail.HtmlBody, StringComparison.Ordinal);
        var link = Mails.LinkTo(mail, "/account/confirm-email");
        Assert.False(await EmailConfirmedAsync(email));

        var response = await browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("your e-mail address is confirmed", browser.LastPage, StringComparison.Ordinal);
        Assert.True(await EmailConfirmedAsync(email));
    }

    [Fact]
    public async Task SignUp_InGerman_SendsTheMailInGerman()
    {
        using var browser = host.CreateBrowser();
        browser.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAsync(browser, email, "Deutsch GmbH");

        var mail = await Mails.WaitAsync(host, email, "Bestätigen Sie Ihre E-Mail-Adresse");
        Assert.Contains("E-Mail-Adresse bestätigen", mail.HtmlBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("code", "AAAA")]
    [InlineData("code", "")]
    [InlineData("userId", "not-a-guid")]
    [InlineData("userId", "00000000-0000-0000-0000-000000000001")]
    public async Task ConfirmationLink_TamperedOrMalformed_SaysInvalid_AndConfirmsNothing(string parameter, string value)
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAsync(browser, email, "Tamper Org");
        var link = Mails.LinkTo(await Mails.WaitAsync(host, email, ConfirmSubject), "/account/confirm-email");

        var response = await browser.GetAsync(Mails.WithQuery(link, parameter, value));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("invalid or has expired", browser.LastPage, StringComparison.Ordinal);
        Assert.False(await EmailConfirmedAsync(email));
    }

    [Fact]
    public async Task SignUp_WithTakenAddress_AnswersTheSame_AndMailsTheOwnerInstead()
    {
        var email = Journeys.UniqueEmail();
        using var first = host.CreateBrowser();
        var original = await Journeys.SignUpAsync(first, email, "Original Org");
        await first.GetAsync(TestBrowser.LocationOf(original)!);
        var originalPage = TestBrowser.WithoutTokens(first.LastPage!);

        using var second = host.CreateBrowser();
        var intruderOrg = "Intruder Org " + Guid.NewGuid().ToString("N")[..6];
        var repeat = await Journeys.SignUpAsync(second, email, intruderOrg, "a different long passphrase 7");
        await second.GetAsync(TestBrowser.LocationOf(repeat)!);

        Assert.Equal(HttpStatusCode.Redirect, repeat.StatusCode);
        Assert.Equal(TestBrowser.LocationOf(original), TestBrowser.LocationOf(repeat));
        Assert.Equal(originalPage, TestBrowser.WithoutTokens(second.LastPage!));
        var warning = await Mails.WaitAsync(host, email, "Someone tried to register");
        Assert.Contains("no new one was created", warning.TextBody, StringComparison.Ordinal);
        Assert.Contains(warning.Links, l => l.AbsolutePath == "/account/forgot-password");
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.Equal(1, await db.Users.CountAsync(u => u.Email == email, TestContext.Current.CancellationToken));
            Assert.False(await db.Organizations.AnyAsync(o => o.Name == intruderOrg, TestContext.Current.CancellationToken));
        }

        // The intruder's password did not replace the owner's.
        using var attacker = host.CreateBrowser();
        await Journeys.PasswordStepAsync(attacker, email, "a different long passphrase 7");
        Assert.Contains("Sign-in failed", attacker.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignUp_WithTakenAddressAndWeakPassword_IsRefusedLikeAnyWeakPassword()
    {
        var email = Journeys.UniqueEmail();
        using var first = host.CreateBrowser();
        await Journeys.SignUpAsync(first, email, "Weak Check Org");
        using var second = host.CreateBrowser();

        var response = await Journeys.SignUpAsync(second, email, "Weak Check Org", "password1234");

        // Password rules are checked before anything depends on the address, so the answer cannot reveal it.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("too common", second.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnconfirmedAccount_MaySignInAndEnrol_ButSeesABanner_UntilConfirmed()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser, confirmEmail: false);
        await browser.GetAsync($"/o/{user.OrganizationSlug}");
        Assert.Contains("data-testid=\"unconfirmed-email\"", browser.LastPage, StringComparison.Ordinal);

        var link = Mails.LinkTo(await Mails.WaitAsync(host, user.Email, ConfirmSubject), "/account/confirm-email");
        await browser.GetAsync(link);
        await browser.GetAsync($"/o/{user.OrganizationSlug}");

        Assert.DoesNotContain("data-testid=\"unconfirmed-email\"", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfirmationLink_WorksForASessionThatHasNotEnrolledMfaYet()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAndSignInAsync(browser, email, "Early Confirm Org");
        var link = Mails.LinkTo(await Mails.WaitAsync(host, email, ConfirmSubject), "/account/confirm-email");

        var response = await browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // not redirected to MFA enrolment
        Assert.True(await EmailConfirmedAsync(email));
    }

    [Fact]
    public async Task Resend_AnswersAlikeForUnknownAddresses_AndSendsAFreshLinkToUnconfirmedOnes()
    {
        var email = Journeys.UniqueEmail();
        var unknown = Journeys.UniqueEmail("nobody");
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAsync(browser, email, "Resend Org");
        var firstMail = await Mails.WaitAsync(host, email, ConfirmSubject);

        using var a = host.CreateBrowser();
        await a.SubmitAsync("/account/confirm-email/resend", "resend-confirmation", new Dictionary<string, string> { ["Input.Email"] = unknown });
        using var b = host.CreateBrowser();
        await b.SubmitAsync("/account/confirm-email/resend", "resend-confirmation", new Dictionary<string, string> { ["Input.Email"] = email });

        Assert.Contains("a new confirmation link is on its way", b.LastPage, StringComparison.Ordinal);
        Assert.Equal(TestBrowser.WithoutTokens(a.LastPage!), TestBrowser.WithoutTokens(b.LastPage!));
        var second = await host.Mail.WaitForMessageAsync(email, m => m.Subject.Contains(ConfirmSubject, StringComparison.Ordinal) && m != firstMail, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync(Mails.LinkTo(second, "/account/confirm-email"))).StatusCode);
        Assert.True(await EmailConfirmedAsync(email));
        // The queue sends in order: the unknown address was asked for first, so its mail would have arrived by now.
        Assert.DoesNotContain(host.Mail.Messages, m => m.IsAddressedTo(unknown));
    }

    private async Task<bool> EmailConfirmedAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Users.Where(u => u.Email == email).Select(u => u.EmailConfirmed).SingleAsync(TestContext.Current.CancellationToken);
        }
    }
}

public sealed class EmailConfirmationTestsOnSqlite(SqliteHost host) : EmailConfirmationTests(host), IClassFixture<SqliteHost>;

public sealed class EmailConfirmationTestsOnPostgres(PostgresHost host) : EmailConfirmationTests(host), IClassFixture<PostgresHost>;
