using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// A new user's first session in a real browser: sign up, sign in, enrol TOTP, sign out and back in with password and code,
/// create a space, upload a file to it, switch language. axe-core checks every page on the way.
/// </summary>
public sealed class AccountJourneyTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string Password = "Burg-Zinne-Wehrgang-1492";

    [Fact]
    public async Task NewUser_SignsUpEnrolsSignsInCreatesSpaceAndSwitchesLanguage_AllPagesAccessible()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var unique = Guid.NewGuid().ToString("N")[..8];
        var email = $"ada-{unique}@example.test";
        var organizationName = $"Burgwerk {unique}";
        var spaceName = $"Informationssicherheit {unique}";
        var axe = new AxeScanner(RepositoryPaths.AxeScript);

        // BypassCSP only so axe-core can be injected: Kastell's CSP rightly blocks injected scripts
        // (ContentSecurityPolicyTests checks that it does, in a context without the bypass).
        await using var context = await chromium.NewContextAsync(server, bypassCsp: true);
        var page = await context.NewPageAsync();

        // Sign up.
        await page.GotoAsync("/account/sign-up");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Create your Kastell account");
        await axe.ScanAsync(page, "sign-up");
        await page.FillAsync("#email", email);
        await page.FillAsync("#name", "Ada Lovelace");
        await page.FillAsync("#org", organizationName);
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("main button[type=submit]");

        // Sign-up answers "check your e-mail" (the same for a taken address) and signs nobody in.
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-up/check-email$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Check your e-mail");
        await axe.ScanAsync(page, "check e-mail");
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("main button[type=submit]");

        // Enrol the authenticator with a code computed from the key on the page.
        await Expect(page).ToHaveURLAsync(new Regex("/account/mfa/setup$"));
        await Expect(page.Locator(".qr svg")).ToBeVisibleAsync();
        await axe.ScanAsync(page, "MFA setup");
        var preEnrolmentSession = await SessionCookieAsync(context);
        var authenticator = new Authenticator(await page.Locator("[data-testid=totp-key]").InnerTextAsync());
        await page.FillAsync("#code", await authenticator.NextCodeAsync(cancellationToken));
        await page.ClickAsync("main button[type=submit]");

        var recoveryCodes = page.Locator("ul.codes li");
        await Expect(recoveryCodes).ToHaveCountAsync(10);
        await Expect(page.Locator("main h2")).ToHaveTextAsync("Your recovery codes");
        await axe.ScanAsync(page, "recovery codes");
        // The codes as a text file (a data: link: the old session is already gone) and a working print button.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=recovery-codes-download]"));
        Assert.Equal("kastell-recovery-codes.txt", download.SuggestedFilename);
        var saved = await File.ReadAllTextAsync((await download.PathAsync())!, cancellationToken);
        foreach (var code in await recoveryCodes.AllInnerTextsAsync())
        {
            Assert.Contains(code.Trim(), saved, StringComparison.Ordinal);
        }

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Print" })).ToBeVisibleAsync();
        // "Continue" waits for the confirmation that the codes are stored.
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/mfa/setup$"));
        await page.GetByLabel("I have stored these codes somewhere safe.").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Expect(page.Locator("main a", new() { HasText = organizationName })).ToBeVisibleAsync();
        // The password-only session was not upgraded in place: the browser now holds a different session id.
        Assert.NotEqual(preEnrolmentSession, await SessionCookieAsync(context));

        // Sign out, then back in with password and a fresh code.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Kastell: your ISMS, secure by default");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);

        await page.GotoAsync("/account/sign-in");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in to Kastell");
        await axe.ScanAsync(page, "sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("main button[type=submit]");

        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in/mfa"));
        await axe.ScanAsync(page, "MFA prompt");
        await page.FillAsync("#code", await authenticator.NextCodeAsync(cancellationToken));
        await page.ClickAsync("main button[type=submit]");

        // Home lists the organization created at sign-up.
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Your organizations");
        await axe.ScanAsync(page, "home");
        await page.GotoAsync("/account/security");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign-in security");
        await axe.ScanAsync(page, "account security");
        await page.GotoAsync("/");
        await page.Locator("main a", new() { HasText = organizationName }).ClickAsync();

        // Organization page: create a space.
        await Expect(page).ToHaveURLAsync(new Regex("/o/[^/]+$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(organizationName);
        await axe.ScanAsync(page, "organization");
        var organizationUrl = page.Url;
        await page.FillAsync("#space-name", spaceName);
        await page.ClickAsync("main button[type=submit]");

        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(organizationUrl) + "/s/[^/]+$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(spaceName);
        await axe.ScanAsync(page, "space");
        var spaceUrl = page.Url;

        // The Space's files: upload one larger than the 1 MiB limit of every other request, through real Kestrel.
        // No clamd runs for these tests, so it is held in quarantine (or accepted where a system clamd answers).
        await page.GetByRole(AriaRole.Link, new() { Name = "Files" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Files");
        await axe.ScanAsync(page, "files");
        await page.SetInputFilesAsync("#upload-file", new FilePayload
        {
            Name = "Risikobewertung.txt",
            MimeType = "text/plain",
            Buffer = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Risiko: gering. ", 150_000))),
        });
        await page.ClickAsync("[data-testid=upload-form] button[type=submit]");
        // Held (a warning, not a success) without clamd; accepted where a system clamd answers.
        await Expect(page.Locator("[data-testid=upload-result]")).ToHaveClassAsync(new Regex("success|warning"));
        await Expect(page.Locator("[data-testid=file]", new() { HasText = "Risikobewertung.txt" })).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=file]")).ToContainTextAsync("2.3 MiB");
        await axe.ScanAsync(page, "files with an upload");

        // The owner's audit log: the sign-up, enrolment and the new space are in it, and the chain verifies.
        await page.GotoAsync(organizationUrl + "/audit");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Audit log");
        await Expect(page.Locator("[data-testid=chain-status]")).ToHaveAttributeAsync("data-intact", "true");
        await Expect(page.Locator("[data-testid=audit-event][data-type=SpaceCreated]")).ToHaveCountAsync(1);
        await axe.ScanAsync(page, "audit log");
        await page.GotoAsync(spaceUrl);

        // Language switch: German, then back to English, staying on the same page.
        await SwitchLanguageAsync(page, "de");
        await Expect(page).ToHaveURLAsync(spaceUrl);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Abmelden" })).ToBeVisibleAsync();
        await axe.ScanAsync(page, "space (German)");

        await SwitchLanguageAsync(page, "en");
        await Expect(page).ToHaveURLAsync(spaceUrl);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();

        var summary = axe.Summary();
        Console.WriteLine(summary);
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.TestOutputHelper?.WriteLine(axe.Details(blockingOnly: false));
        Assert.Equal(14, axe.Scans.Count); // every ScanAsync above ran
        axe.AssertNoBlockingViolations();
    }

    private static async Task SwitchLanguageAsync(IPage page, string culture)
    {
        await page.SelectOptionAsync("#culture-select", culture);
        await page.ClickAsync("footer button[type=submit]");
    }

    private static async Task<string> SessionCookieAsync(IBrowserContext context) =>
        (await context.CookiesAsync()).Single(c => c.Name == "__Host-Kastell").Value;
}
