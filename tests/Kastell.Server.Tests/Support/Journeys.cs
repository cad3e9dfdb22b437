using System.Net;

namespace Kastell.Server.Tests.Support;

public sealed record EnrolledUser(string Email, string Password, string TotpSecret, IReadOnlyList<string> RecoveryCodes, string OrganizationSlug);

/// <summary>Multi-step flows shared by tests: each step asserts what a user would see.</summary>
public static class Journeys
{
    public const string GoodPassword = "correct horse battery staple 42";

    public static string UniqueEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}@example.test";

    public static Task<HttpResponseMessage> SignUpAsync(TestBrowser browser, string email, string organization, string password = GoodPassword) =>
        browser.SubmitAsync("/account/sign-up", "sign-up", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = "Test Person",
            ["Input.OrganizationName"] = organization,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    public const string CheckEmailPath = "/account/sign-up/check-email";

    /// <summary>
    /// Signs up (which answers "check your e-mail" and signs nobody in), then signs in with the password: a session
    /// that may only enrol MFA. The address stays unconfirmed, which does not block sign-in.
    /// </summary>
    public static async Task SignUpAndSignInAsync(TestBrowser browser, string email, string organization, string password = GoodPassword)
    {
        var signUp = await SignUpAsync(browser, email, organization, password);
        Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        Assert.Equal(CheckEmailPath, TestBrowser.LocationOf(signUp));
        var signIn = await PasswordStepAsync(browser, email, password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(signIn));
    }

    /// <summary>
    /// A fully set-up account: signed up, its address confirmed through the link in the mail (when the browser's host
    /// has a mail sink; <paramref name="confirmEmail"/> false leaves it unconfirmed), MFA enrolled, signed in.
    /// </summary>
    public static async Task<EnrolledUser> SignUpAndEnrolAsync(TestBrowser browser, string? organization = null, bool confirmEmail = true, string? email = null)
    {
        email ??= UniqueEmail();
        organization ??= "Org " + Guid.NewGuid().ToString("N")[..8];
        await SignUpAndSignInAsync(browser, email, organization);
        if (confirmEmail && browser.Host is { } host && host.HasMailSink)
        {
            await ConfirmEmailAsync(host, browser, email);
        }

        var (secret, codes) = await EnrolAsync(browser);

        await browser.GetAsync("/");
        var slug = System.Text.RegularExpressions.Regex.Match(browser.LastPage!, "href=\"/o/([a-z0-9-]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(slug), "The home page lists no organization after sign-up.");
        return new EnrolledUser(email, GoodPassword, secret, codes, slug);
    }

    /// <summary>Opens the link of the confirmation mail sent to <paramref name="email"/>, as its owner would.</summary>
    public static async Task ConfirmEmailAsync(KastellHost host, TestBrowser browser, string email)
    {
        var link = Mails.LinkTo(await Mails.WaitAsync(host, email, "Confirm your e-mail address"), "/account/confirm-email");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(link)).StatusCode);
    }

    /// <summary>
    /// Enrols TOTP for the signed-in (not yet MFA) session and continues, as the page's link does, through the session
    /// renewal that replaces the password-only session; returns the secret and the recovery codes.
    /// </summary>
    public static async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(TestBrowser browser)
    {
        await browser.GetAsync("/account/mfa/setup");
        var secret = TestBrowser.TotpSecretFrom(browser.LastPage!);
        var enrol = await browser.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string>
        {
            ["Input.Code"] = TestBrowser.TotpCode(secret),
        });
        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        var codes = TestBrowser.RecoveryCodesFrom(browser.LastPage!);
        Assert.Equal(10, codes.Count);
        // The "I have stored them" step: a form that continues to the renewal once its box is ticked.
        Assert.Contains("action=\"/account/session/renew\"", browser.LastPage!, StringComparison.Ordinal);
        var renew = await browser.GetAsync("/account/session/renew?stored=yes");
        Assert.Equal(HttpStatusCode.Redirect, renew.StatusCode);
        Assert.Equal("/", TestBrowser.LocationOf(renew));
        return (secret, codes);
    }

    public static Task<HttpResponseMessage> PasswordStepAsync(TestBrowser browser, string email, string password) =>
        browser.SubmitAsync("/account/sign-in", "sign-in", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    /// <summary>Signs in with password and TOTP; waits for the next time step when the code would repeat.</summary>
    public static async Task SignInAsync(TestBrowser browser, EnrolledUser user)
    {
        var password = await PasswordStepAsync(browser, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/account/sign-in/mfa", TestBrowser.LocationOf(password));
        var mfa = await browser.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string>
        {
            ["Input.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
        });
        Assert.Equal(HttpStatusCode.Redirect, mfa.StatusCode);
    }

    public static async Task SignInWithRecoveryCodeAsync(TestBrowser browser, EnrolledUser user, int index)
    {
        await PasswordStepAsync(browser, user.Email, user.Password);
        var recovery = await browser.SubmitAsync("/account/sign-in/recovery", "sign-in-recovery", new Dictionary<string, string>
        {
            ["Input.Code"] = user.RecoveryCodes[index],
        });
        Assert.Equal(HttpStatusCode.Redirect, recovery.StatusCode);
    }
}
