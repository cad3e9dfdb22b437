using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// The ISMS main path in a real browser: an owner imports a framework, adopts it in a Space, creates a control, links
/// it to a requirement, sets its status and owner, and decides a requirement's applicability with a justification.
/// Every page of the Controls feature is checked in English and German by axe-core (no serious or critical violation)
/// and for horizontal overflow at 390 px and 1,280 px.
/// </summary>
public sealed class ControlsJourneyTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string Password = "Burg-Zinne-Wehrgang-1492";
    private static readonly int[] Widths = [390, 1280];

    [Fact]
    public async Task OwnerAdoptsAFramework_LinksAControl_AndDecidesApplicability_InEnglishAndGerman()
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
        var organizationName = $"Zitadelle {unique}";
        await SignUpAndEnrolAsync(owner, $"isa-{unique}@example.test", organizationName, ct);
        await owner.Locator("main a", new() { HasText = organizationName }).ClickAsync();
        await Expect(owner).ToHaveURLAsync(new Regex("/o/[^/]+$"));
        var organizationUrl = owner.Url;
        var spaceName = $"Scope {unique}";
        await owner.FillAsync("#space-name", spaceName);
        await owner.ClickAsync("main button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync(spaceName);
        var spaceUrl = owner.Url;

        // Empty states say what to do next.
        await owner.ClickAsync("main a:text-is('Adopted frameworks')");
        await Expect(owner.Locator("[data-testid=no-adoptions]")).ToBeVisibleAsync();
        await Expect(owner.Locator("[data-testid=nothing-to-adopt] a")).ToHaveAttributeAsync("href", new Regex("/frameworks$"));
        await CheckAsync(owner, "adopted frameworks (empty)");
        await owner.GotoAsync(spaceUrl + "/controls");
        await Expect(owner.Locator("[data-testid=no-controls]")).ToBeVisibleAsync();
        await CheckAsync(owner, "controls (empty)");

        // Import a small catalog through the library, adopt it in the Space.
        await owner.GotoAsync(organizationUrl + "/frameworks");
        await owner.SetInputFilesAsync("#framework-file", new FilePayload { Name = "norm.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(Catalog($"Hausnorm {unique}")) });
        await owner.ClickAsync("[data-testid=import-form] button[type=submit]");
        await Expect(owner.Locator("[data-testid=imported]")).ToBeVisibleAsync();
        await owner.GotoAsync(spaceUrl + "/frameworks");
        await owner.SelectOptionAsync("#adopt-framework", new SelectOptionValue { Label = $"Hausnorm {unique} (2022)" });
        await owner.ClickAsync("[data-testid=adopt-form] button[type=submit]");
        await Expect(owner.Locator("[data-testid=adoption]")).ToHaveCountAsync(1);
        await CheckAsync(owner, "adopted frameworks");

        // A control, linked to A.5.1, implemented, owned by the owner.
        await owner.GotoAsync(spaceUrl + "/controls");
        await owner.FillAsync("#control-title", "Information security policy");
        await owner.FillAsync("#control-description", "Approved by the board every year.");
        await owner.ClickAsync("[data-testid=create-control] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Information security policy");
        var controlUrl = owner.Url.Split('?')[0];
        await CheckAsync(owner, "control (no links)");
        await owner.FillAsync("#link-requirement", "A.5.1");
        await owner.ClickAsync("[data-testid=link-requirement] button[type=submit]");
        await Expect(owner.Locator("[data-testid=control-requirement]")).ToHaveCountAsync(1);
        await owner.SelectOptionAsync("#edit-status", "Implemented");
        await owner.SelectOptionAsync("#edit-owner", new SelectOptionValue { Index = 1 });
        await owner.ClickAsync("[data-testid=edit-control] button[type=submit]");
        await Expect(owner.Locator("[data-testid=control-status]")).ToHaveTextAsync("Implemented");
        await CheckAsync(owner, "control");
        await owner.GotoAsync(spaceUrl + "/controls");
        await Expect(owner.Locator("[data-testid=control]")).ToHaveCountAsync(1);
        await CheckAsync(owner, "controls");

        // The statement of applicability: A.5.2 excluded, with its reason; A.5.1 shows the control.
        await owner.GotoAsync(spaceUrl + "/frameworks");
        await owner.Locator("[data-testid=adoption] a").First.ClickAsync();
        var soaUrl = owner.Url;
        var line = owner.Locator("[data-testid=soa-line]", new() { HasText = "A.5.2" });
        await line.Locator("summary").ClickAsync();
        await line.Locator("input[value=no]").CheckAsync();
        await line.Locator("textarea").FillAsync("Roles are defined by the group, outside this scope.");
        await line.Locator("button[type=submit]").ClickAsync();
        await Expect(owner.Locator("[data-testid=soa-line]", new() { HasText = "A.5.2" }).Locator("[data-testid=soa-decision]")).ToContainTextAsync("Not applicable");
        await Expect(owner.Locator("[data-testid=soa-line]", new() { HasText = "A.5.1" }).Locator("[data-testid=soa-controls]")).ToContainTextAsync("Information security policy");
        await CheckAsync(owner, "statement of applicability");

        await owner.SelectOptionAsync("#culture-select", "de");
        await owner.ClickAsync("footer button[type=submit]");
        await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
        foreach (var (url, name) in new[]
        {
            (soaUrl, "statement of applicability (German)"),
            (spaceUrl + "/frameworks", "adopted frameworks (German)"),
            (spaceUrl + "/controls", "controls (German)"),
            (controlUrl, "control (German)"),
        })
        {
            await owner.GotoAsync(url);
            await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
            await CheckAsync(owner, name);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(axe.Summary());
        TestContext.Current.TestOutputHelper?.WriteLine(axe.Details(blockingOnly: false));
        Assert.Equal(11, axe.Scans.Count);
        Assert.True(layout.Count == 0, string.Join(Environment.NewLine, layout));
        axe.AssertNoBlockingViolations();
    }

    private static string Catalog(string title) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            catalog = new Dictionary<string, object>
            {
                ["uuid"] = Guid.NewGuid().ToString(),
                ["metadata"] = new Dictionary<string, object> { ["title"] = title, ["last-modified"] = "2026-12-01T00:00:00Z", ["version"] = "2022", ["oscal-version"] = "1.1.3" },
                ["groups"] = new[]
                {
                    new { id = "a5", title = "Organizational controls", controls = new[] { new { id = "A.5.1", title = "Policies" }, new { id = "A.5.2", title = "Roles" } } },
                },
            },
        });

    private static async Task SignUpAndEnrolAsync(IPage page, string email, string organization, CancellationToken ct)
    {
        await page.GotoAsync("/account/sign-up");
        await page.FillAsync("#email", email);
        await page.FillAsync("#name", "Isa Owner");
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
        // The recovery codes are shown once: confirmed stored, then on.
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "I have stored these codes somewhere safe." }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
    }
}
