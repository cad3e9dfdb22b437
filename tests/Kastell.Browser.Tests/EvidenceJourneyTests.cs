using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// The visibility rule of evidence in a real browser: two people of one Space see different evidence. The owner
/// invites Bruno, makes him a viewer of the Space and the owner of one asset, and adds evidence for that asset and
/// for another; Bruno sees only his asset's evidence, and the other item's page answers "not found" to him. Every page
/// of the Evidence feature is checked in English and German by axe-core (no serious or critical violation) and for
/// horizontal overflow at 390 px and 1,280 px.
/// </summary>
public sealed partial class EvidenceJourneyTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string Password = "Burg-Zinne-Wehrgang-1492";
    private static readonly int[] Widths = [390, 1280];

    [Fact]
    public async Task TwoPeopleOfOneSpace_SeeDifferentEvidence_InEnglishAndGerman()
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

        await using var ownerContext = await chromium.NewContextAsync(server, bypassCsp: true);
        var owner = await ownerContext.NewPageAsync();
        var ownerEmail = $"ada-{unique}@example.test";
        var organizationName = $"Wehrturm {unique}";
        await SignUpAndEnrolAsync(owner, ownerEmail, organizationName, ct);
        await owner.Locator("main a", new() { HasText = organizationName }).ClickAsync();
        await Expect(owner).ToHaveURLAsync(new Regex("/o/[^/]+$"));
        var organizationUrl = owner.Url;
        var spaceName = $"Scope {unique}";
        await owner.FillAsync("#space-name", spaceName);
        await owner.ClickAsync("main button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync(spaceName);
        var spaceUrl = owner.Url;

        // Bruno joins through an invitation and becomes a viewer of the Space.
        await owner.GotoAsync(await server.MailLinkAsync(ownerEmail, ConfirmationLink(), ct));
        var memberEmail = $"bruno-{unique}@example.test";
        await owner.GotoAsync(organizationUrl + "/members");
        await owner.FillAsync("#invite-email", memberEmail);
        await owner.ClickAsync("main form:has(#invite-email) button[type=submit]");
        await Expect(owner.Locator(".alert.success")).ToContainTextAsync(memberEmail);
        await using var memberContext = await chromium.NewContextAsync(server, bypassCsp: true);
        var member = await memberContext.NewPageAsync();
        await member.GotoAsync(await server.MailLinkAsync(memberEmail, InvitationLink(), ct));
        await member.FillAsync("#name", "Bruno Member");
        await member.FillAsync("#password", Password);
        await member.FillAsync("#confirm", Password);
        await member.ClickAsync("main button[type=submit]");
        await EnrolAsync(member, ct);
        await owner.GotoAsync(spaceUrl + "/members");
        await owner.SelectOptionAsync("#grant-subject", new SelectOptionValue { Label = $"Bruno Member ({memberEmail})" });
        await owner.SelectOptionAsync("#grant-role", "Viewer");
        await owner.ClickAsync("[data-testid=grant-space-role] button[type=submit]");

        // Two assets: Bruno owns his laptop; the server has no owner.
        await owner.GotoAsync(spaceUrl + "/assets/new");
        await owner.FillAsync("#asset-name", "Brunos Laptop");
        await owner.SelectOptionAsync("#asset-kind", "Infrastructure");
        await owner.SelectOptionAsync("#asset-owner", new SelectOptionValue { Label = $"Bruno Member ({memberEmail})" });
        await owner.ClickAsync("[data-testid=create-asset] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Brunos Laptop");
        await owner.GotoAsync(spaceUrl + "/assets/new");
        await owner.FillAsync("#asset-name", "Zentraler Server");
        await owner.SelectOptionAsync("#asset-kind", "Infrastructure");
        await owner.ClickAsync("[data-testid=create-asset] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Zentraler Server");

        // The empty list says what to do; then one item of evidence for each asset.
        await owner.GotoAsync(spaceUrl);
        await owner.ClickAsync("main a:text-is('Evidence')");
        await Expect(owner.Locator("[data-testid=no-evidence]")).ToContainTextAsync("Add the first one");
        await CheckAsync(owner, "evidence (empty)");
        await owner.ClickAsync("[data-testid=new-evidence]");
        await owner.FillAsync("#evidence-title", "Festplattenverschlüsselung Laptop");
        await owner.FillAsync("#evidence-url", "https://mdm.example/devices/laptop-bruno");
        await owner.FillAsync("#evidence-effective", "2026-11-30");
        await owner.Locator("[data-testid=evidence-assets] label", new() { HasText = "Brunos Laptop" }).Locator("input").CheckAsync();
        await CheckAsync(owner, "new evidence (link)");
        await owner.ClickAsync("[data-testid=create-evidence] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Festplattenverschlüsselung Laptop");
        await CheckAsync(owner, "evidence (link)");
        // (A file form is checked too; this server runs without a malware scanner, so the item is a note.)
        await owner.GotoAsync(spaceUrl + "/evidence/new?kind=File");
        await CheckAsync(owner, "new evidence (file)");
        await owner.GotoAsync(spaceUrl + "/evidence/new?kind=Note");
        await owner.FillAsync("#evidence-title", "Patchstand Server");
        await owner.FillAsync("#evidence-note", "Alle Patches eingespielt.");
        await owner.FillAsync("#evidence-from", "2026-10-01");
        await owner.FillAsync("#evidence-to", "2026-10-31");
        await owner.Locator("[data-testid=evidence-assets] label", new() { HasText = "Zentraler Server" }).Locator("input").CheckAsync();
        await owner.ClickAsync("[data-testid=create-evidence] button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Patchstand Server");
        var serverEvidenceUrl = owner.Url.Split('?')[0];
        await CheckAsync(owner, "evidence (note)");

        // The owner (a manager) sees both; Bruno only the evidence of his own asset.
        await owner.GotoAsync(spaceUrl + "/evidence");
        await Expect(owner.Locator("[data-testid=evidence-item]")).ToHaveCountAsync(2);
        await CheckAsync(owner, "evidence (manager)");
        await member.GotoAsync(spaceUrl + "/evidence");
        await Expect(member.Locator("[data-testid=evidence-item]")).ToHaveCountAsync(1);
        await Expect(member.Locator("[data-testid=evidence-item]")).ToContainTextAsync("Festplattenverschlüsselung Laptop");
        await Expect(member.Locator("main")).Not.ToContainTextAsync("Patchstand");
        await CheckAsync(member, "evidence (asset owner)");
        var response = await member.GotoAsync(serverEvidenceUrl);
        Assert.Equal(404, response!.Status);
        await Expect(member.Locator("main")).Not.ToContainTextAsync("Patchstand");

        await owner.SelectOptionAsync("#culture-select", "de");
        await owner.ClickAsync("footer button[type=submit]");
        await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
        foreach (var (url, name) in new[]
        {
            (spaceUrl + "/evidence", "evidence (German)"),
            (spaceUrl + "/evidence/new?kind=Link", "new evidence (German)"),
            (serverEvidenceUrl, "evidence item (German)"),
        })
        {
            await owner.GotoAsync(url);
            await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
            await CheckAsync(owner, name);
        }

        await Expect(owner.Locator("[data-testid=evidence-state]")).ToHaveTextAsync("Eingereicht");

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
        await EnrolAsync(page, ct);
    }

    private static async Task EnrolAsync(IPage page, CancellationToken ct)
    {
        await Expect(page).ToHaveURLAsync(new Regex("/account/mfa/setup$"));
        var authenticator = new Authenticator(await page.Locator("[data-testid=totp-key]").InnerTextAsync());
        await page.FillAsync("#code", await authenticator.NextCodeAsync(ct));
        await page.ClickAsync("main button[type=submit]");
        await page.GetByLabel("I have stored these codes somewhere safe.").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
    }


    [GeneratedRegex(@"https://[^\s""<>]+/invitations/accept\?token=[^\s""<>]+")]
    private static partial Regex InvitationLink();

    [GeneratedRegex(@"https://[^\s""<>]+/account/confirm-email\?[^\s""<>]+")]
    private static partial Regex ConfirmationLink();
}
