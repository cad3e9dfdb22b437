using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// Passkeys end to end in Chromium with a virtual authenticator (Chrome DevTools Protocol, WebAuthn domain): register
/// one after re-authentication, sign out, sign in with it alone. The page runs under Kastell's real CSP, so this also
/// proves the self-hosted passkeys.js is allowed and enough.
/// </summary>
public sealed class PasskeyJourneyTests(KastellServer server)
{
    private const string Password = "Zugbruecke-Fallgatter-1187";

    // A ceremony is two round trips plus the authenticator's signature; on a busy CI machine that can exceed 5 s.
    private static readonly LocatorAssertionsToBeVisibleOptions Ceremony = new() { Timeout = 30_000 };

    [Fact]
    public async Task User_RegistersAPasskeyAfterReauthentication_AndSignsInWithItAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        var unique = Guid.NewGuid().ToString("N")[..8];
        var email = $"grace-{unique}@example.test";
        var organizationName = $"Turmwerk {unique}";

        // Chromium refuses WebAuthn on pages with certificate errors; pinning this run's certificate makes it valid
        // for this browser only (no --ignore-certificate-errors, no change to any trust store).
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumBrowser.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--ignore-certificate-errors-spki-list={server.CertificateSpkiSha256}"],
        });
        await using var context = await browser.NewContextAsync(new() { BaseURL = server.LocalhostAddress.ToString(), Locale = "en-US" });
        var page = await context.NewPageAsync();
        var resourceProblems = new List<string>();
        page.Console += (_, message) =>
        {
            // A blocked, missing or empty script or stylesheet shows here.
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("Failed to load", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("MIME type", StringComparison.OrdinalIgnoreCase))
            {
                resourceProblems.Add(message.Text);
            }
        };

        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        var authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;

        // Sign up, sign in, enrol TOTP.
        await page.GotoAsync("/account/sign-up");
        await page.FillAsync("#email", email);
        await page.FillAsync("#name", "Grace Hopper");
        await page.FillAsync("#org", organizationName);
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-up/check-email$"));
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/mfa/setup$"));
        var authenticator = new Authenticator(await page.Locator("[data-testid=totp-key]").InnerTextAsync());
        await page.FillAsync("#code", await authenticator.NextCodeAsync(ct));
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator("ul.codes li")).ToHaveCountAsync(10);
        // Enrolment ended the password-only session; "Continue" renews it as a second-factor session.
        await page.GetByLabel("I have stored these codes somewhere safe.").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));

        // Re-authenticate, then create the passkey on the virtual authenticator.
        await page.GotoAsync("/account/security");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign-in security");
        await page.FillAsync("#grant-password", Password);
        await page.FillAsync("#grant-code", await authenticator.NextCodeAsync(ct));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await page.FillAsync("#passkey-name", "Virtual test key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create passkey now" }).ClickAsync();
        await Expect(page.Locator("main [role=status]", new() { HasText = "The passkey has been added." })).ToBeVisibleAsync(Ceremony);
        await Expect(page.Locator("[data-testid=passkeys] li")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=passkeys] li")).ToContainTextAsync("Virtual test key");

        var credentials = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        var credential = Assert.Single(credentials!.Value.GetProperty("credentials").EnumerateArray());
        Assert.True(credential.GetProperty("isResidentCredential").GetBoolean());
        Assert.Equal("localhost", credential.GetProperty("rpId").GetString());
        var countAfterRegistration = credential.GetProperty("signCount").GetInt32();

        // Sign out; sign in with the passkey alone: no e-mail, no password, no code.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        await page.GotoAsync("/account/sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Expect(page.Locator("main a", new() { HasText = organizationName })).ToBeVisibleAsync(Ceremony);
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Your organizations");
        await Expect(page.Locator("main a", new() { HasText = organizationName })).ToBeVisibleAsync();

        // The authenticator's counter moved: the server saw and verified a real assertion.
        credentials = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        Assert.True(credentials!.Value.GetProperty("credentials")[0].GetProperty("signCount").GetInt32() > countAfterRegistration);
        Assert.Empty(resourceProblems);
    }

    [Fact]
    public async Task SignIn_WithAPasskeyTheServerDoesNotKnow_Fails()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumBrowser.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", $"--ignore-certificate-errors-spki-list={server.CertificateSpkiSha256}"],
        });
        await using var context = await browser.NewContextAsync(new() { BaseURL = server.LocalhostAddress.ToString(), Locale = "en-US" });
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2", ["transport"] = "internal", ["hasResidentKey"] = true,
                ["hasUserVerification"] = true, ["isUserVerified"] = true, ["automaticPresenceSimulation"] = true,
            },
        });
        // A discoverable credential for localhost that Kastell never registered (another site's user, a stale key).
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;
        await cdp.SendAsync("WebAuthn.addCredential", new Dictionary<string, object>
        {
            ["authenticatorId"] = authenticatorId,
            ["credential"] = new Dictionary<string, object>
            {
                ["credentialId"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
                ["isResidentCredential"] = true,
                ["rpId"] = "localhost",
                ["privateKey"] = Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
                // Shaped like Kastell's own user handles (the user id as text), for a user that does not exist.
                ["userHandle"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Guid.NewGuid().ToString())),
                ["signCount"] = 0,
            },
        });

        await page.GotoAsync("/account/sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();

        await Expect(page.Locator("main [role=alert]", new() { HasText = "Sign-in with a passkey failed" })).ToBeVisibleAsync(Ceremony);
        Assert.EndsWith("/account/sign-in", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        // The authenticator did sign: the server received a real assertion and refused it.
        var credentials = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        Assert.True(credentials!.Value.GetProperty("credentials")[0].GetProperty("signCount").GetInt32() >= 1);
    }
}
