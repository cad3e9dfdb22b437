using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// The asset inventory in a real browser: an owner adds an application with a very high confidentiality need and the
/// server it runs on, makes the application depend on the server, and sees the server inherit the need with its
/// reason; the list filters by the effective level. Every page of the Assets feature is checked in English and German
/// by axe-core (no serious or critical violation) and for horizontal overflow at 390 px and 1,280 px.
/// </summary>
public sealed class AssetsJourneyTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string Password = "Burg-Zinne-Wehrgang-1492";
    private static readonly int[] Widths = [390, 1280];

    [Fact]
    public async Task OwnerAddsTwoAssets_AndADependency_AndTheServerInheritsTheNeed_InEnglishAndGerman()
    {
        var ct = TestContext.Current.CancellationToken;
        var unique = Guid.NewGuid().ToString("N")[..8];
        var axe = new AxeScanner(RepositoryPaths.AxeScript);
        var layout = new List<string>();

        async Task CheckAsync(IPage page, string name)
        {
            await axe.ScanAsync(page, name);
            foreach (var width in Widths)
            {
                await page.SetViewportSizeAsync(width, 900);
                var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
                if (widths[0] > widths[1])
                {
                    layout.Add($"{name} ({page.Url}) at {width}px: the page is {widths[0]}px wide, the window {widths[1]}px");
                }
            }

            await page.SetViewportSizeAsync(1280, 900);
        }

        await using var context = await chromium.NewContextAsync(server, bypassCsp: true);
        var owner = await context.NewPageAsync();
        var organizationName = $"Wehrturm {unique}";
        await SignUpAndEnrolAsync(owner, $"ada-{unique}@example.test", organizationName, ct);
        await owner.Locator("main a", new() { HasText = organizationName }).ClickAsync();
        await Expect(owner).ToHaveURLAsync(new Regex("/o/[^/]+$"));
        var spaceName = $"Scope {unique}";
        await owner.FillAsync("#space-name", spaceName);
        await owner.ClickAsync("main button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync(spaceName);
        var spaceUrl = owner.Url;

        // The Space links to the inventory; the empty state says what to do.
        await owner.ClickAsync("main a:text-is('Assets')");
        await Expect(owner.Locator("[data-testid=no-assets]")).ToContainTextAsync("Add the first one");
        await CheckAsync(owner, "assets (empty)");

        // The application: very high confidentiality, justified.
        await owner.ClickAsync("[data-testid=new-asset]");
        await owner.FillAsync("#asset-name", "Personalakte");
        await owner.SelectOptionAsync("#asset-kind", "Application");
        await owner.SelectOptionAsync("#c-level", "VeryHigh");
        await owner.FillAsync("#c-justification", "Health data of employees.");
        await CheckAsync(owner, "new asset");
        await owner.ClickAsync("[data-testid=create-asset] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Personalakte");
        var applicationUrl = owner.Url.Split('?')[0];

        // The server it runs on: normal needs of its own.
        await owner.GotoAsync(spaceUrl + "/assets/new");
        await owner.FillAsync("#asset-name", "Server 1");
        await owner.SelectOptionAsync("#asset-kind", "Infrastructure");
        await owner.ClickAsync("[data-testid=create-asset] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Server 1");
        var serverUrl = owner.Url.Split('?')[0];
        await Expect(owner.Locator("[data-testid=need-c] [data-testid=effective]")).ToHaveTextAsync("Normal");

        // The application depends on the server: the server inherits very high confidentiality, and says from where.
        await owner.GotoAsync(applicationUrl);
        await owner.SelectOptionAsync("#depends-on", new SelectOptionValue { Label = "Server 1 (Infrastructure)" });
        await owner.ClickAsync("[data-testid=add-dependency] button[type=submit]");
        await Expect(owner.Locator("[data-testid=dependency]")).ToHaveCountAsync(1);
        await CheckAsync(owner, "asset (application)");
        await owner.Locator("[data-testid=dependency] a").ClickAsync();
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Server 1");
        await Expect(owner.Locator("[data-testid=need-c] [data-testid=effective]")).ToHaveTextAsync("Very high");
        await Expect(owner.Locator("[data-testid=need-c] [data-testid=reason]")).ToHaveTextAsync("inherited from Personalakte");
        await CheckAsync(owner, "asset (server)");
        await owner.ClickAsync("[data-testid=edit-asset-link]");
        await CheckAsync(owner, "edit asset");

        // The list: the level filter is of the effective need, so both show under very high.
        await owner.GotoAsync(spaceUrl + "/assets");
        await Expect(owner.Locator("[data-testid=asset]")).ToHaveCountAsync(2);
        await owner.SelectOptionAsync("#filter-kind", "Infrastructure");
        await owner.SelectOptionAsync("#filter-level", "VeryHigh");
        await owner.ClickAsync("[data-testid=asset-filters] button[type=submit]");
        await Expect(owner.Locator("[data-testid=asset]")).ToHaveCountAsync(1);
        await Expect(owner.Locator("[data-testid=asset]")).ToContainTextAsync("Server 1");
        await CheckAsync(owner, "assets (filtered)");

        await owner.SelectOptionAsync("#culture-select", "de");
        await owner.ClickAsync("footer button[type=submit]");
        await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
        foreach (var (url, name) in new[]
        {
            (spaceUrl + "/assets", "assets (German)"),
            (spaceUrl + "/assets/new", "new asset (German)"),
            (applicationUrl, "asset (German)"),
            (serverUrl + "/edit", "edit asset (German)"),
        })
        {
            await owner.GotoAsync(url);
            await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
            await CheckAsync(owner, name);
        }

        await owner.GotoAsync(serverUrl);
        await Expect(owner.Locator("[data-testid=need-c] [data-testid=reason]")).ToHaveTextAsync("geerbt von Personalakte");

        TestContext.Current.TestOutputHelper?.WriteLine(axe.Summary());
        TestContext.Current.TestOutputHelper?.WriteLine(axe.Details(blockingOnly: false));
        Assert.Equal(10, axe.Scans.Count);
        Assert.True(layout.Count == 0, string.Join(Environment.NewLine, layout));
        axe.AssertNoBlockingViolations();
    }

    private static async Task SignUpAndEnrolAsync(IPage page, string email, string organization, CancellationToken ct)
    {
        await page.GotoAsync("/account/sign-up");
        await page.FillAsync("#email", email);
        await page.FillAsync("#name", "Ada Owner");
        await page.FillAsync("#org", organization);
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-up/check-email$"));
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/account/mfa/setup$"));
        var authenticator = new Authenticator(await page.Locator("[data-testid=totp-key]").InnerTextAsync());
        await page.FillAsync("#code", await authenticator.NextCodeAsync(ct));
        await page.ClickAsync("main button[type=submit]");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "I have stored these codes somewhere safe." }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
    }
}
