using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// An owner gives someone a way in, as a new organization needs it: invites a person, who joins through the mail's link;
/// builds a team with them, gives the team a role in a Space, changes the person's organization role, and looks at who
/// has access, and why — for the organization, the Space, a file and the person. Every page is checked in English and
/// German by axe-core (no serious or critical violation) and for horizontal overflow at 390 px and 1,280 px.
/// </summary>
public sealed partial class TeamsAndAccessJourneyTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string Password = "Burg-Zinne-Wehrgang-1492";
    private static readonly int[] Widths = [390, 1280];

    [Fact]
    public async Task OwnerBuildsATeam_GivesItASpaceRole_AndSeesWhoHasAccessAndWhy_InEnglishAndGerman()
    {
        var ct = TestContext.Current.CancellationToken;
        var unique = Guid.NewGuid().ToString("N")[..8];
        var axe = new AxeScanner(RepositoryPaths.AxeScript);
        var layout = new List<string>();
        var checkedLayouts = 0;

        async Task CheckAsync(IPage page, string name)
        {
            await axe.ScanAsync(page, name);
            foreach (var width in Widths)
            {
                await page.SetViewportSizeAsync(width, 900);
                var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
                checkedLayouts++;
                if (widths[0] > widths[1])
                {
                    layout.Add($"{name} ({page.Url}) at {width}px: the page is {widths[0]}px wide, the window {widths[1]}px");
                }
            }

            await page.SetViewportSizeAsync(1280, 900);
        }

        await using var ownerContext = await chromium.NewContextAsync(server, bypassCsp: true);
        var owner = await ownerContext.NewPageAsync();
        var organizationName = $"Wehrturm {unique}";
        await SignUpAndEnrolAsync(owner, $"ada-{unique}@example.test", "Ada Owner", organizationName, ct);
        await owner.Locator("main a", new() { HasText = organizationName }).ClickAsync();
        await Expect(owner).ToHaveURLAsync(new Regex("/o/[^/]+$"));
        var organizationUrl = owner.Url;

        // A Space with a file in it.
        var spaceName = $"Tresor {unique}";
        await owner.FillAsync("#space-name", spaceName);
        await owner.ClickAsync("main button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync(spaceName);
        var spaceUrl = owner.Url;
        await owner.GotoAsync(spaceUrl + "/files");
        await owner.SetInputFilesAsync("#upload-file", new FilePayload { Name = "Notfallplan.txt", MimeType = "text/plain", Buffer = "Notfallplan"u8.ToArray() });
        await owner.ClickAsync("[data-testid=upload-form] button[type=submit]");
        await Expect(owner.Locator("[data-testid=file]")).ToHaveCountAsync(1);

        // Invitations go out in the inviter's name: the owner confirms their address first, through the mail's link.
        await owner.GotoAsync(await server.MailLinkAsync($"ada-{unique}@example.test", ConfirmationLink(), ct));
        await Expect(owner.Locator("main")).ToContainTextAsync("confirmed");

        // Invite a person; they join through the link in the mail and enrol like everyone.
        var memberEmail = $"bruno-{unique}@example.test";
        await owner.GotoAsync(organizationUrl + "/members");
        await owner.FillAsync("#invite-email", memberEmail);
        await owner.ClickAsync("main form:has(#invite-email) button[type=submit]");
        await Expect(owner.Locator(".alert.success")).ToContainTextAsync(memberEmail);
        var link = await InvitationLinkAsync(memberEmail, ct);
        await using var memberContext = await chromium.NewContextAsync(server);
        var member = await memberContext.NewPageAsync();
        await member.GotoAsync(link);
        await member.FillAsync("#name", "Bruno Member");
        await member.FillAsync("#password", Password);
        await member.FillAsync("#confirm", Password);
        await member.ClickAsync("main button[type=submit]");
        await EnrolAsync(member, ct);
        // In, but with no Space yet.
        await member.GotoAsync(organizationUrl);
        await Expect(member.Locator("main a", new() { HasText = spaceName })).ToHaveCountAsync(0);

        // A team with the person in it.
        await owner.GotoAsync(organizationUrl + "/teams");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Teams");
        await CheckAsync(owner, "teams (empty)");
        var teamName = $"Security {unique}";
        await owner.FillAsync("#team-name", teamName);
        await owner.ClickAsync("main form:has(#team-name) button[type=submit]");
        await Expect(owner.Locator("h1")).ToHaveTextAsync(teamName);
        var teamUrl = owner.Url;
        await CheckAsync(owner, "team (empty)");
        await owner.SelectOptionAsync("#team-member", new SelectOptionValue { Label = $"Bruno Member ({memberEmail})" });
        await owner.ClickAsync("[data-testid=add-team-member] button[type=submit]");
        await Expect(owner.Locator("[data-testid=team-member]")).ToHaveCountAsync(1);
        await CheckAsync(owner, "team");
        await owner.GotoAsync(organizationUrl + "/teams");
        await CheckAsync(owner, "teams");

        // The team edits the Space; the person can now enter it.
        await owner.GotoAsync(spaceUrl + "/members");
        await CheckAsync(owner, "Space members");
        await owner.SelectOptionAsync("#grant-subject", new SelectOptionValue { Label = teamName });
        await owner.SelectOptionAsync("#grant-role", "Editor");
        await owner.ClickAsync("[data-testid=grant-space-role] button[type=submit]");
        await Expect(owner.Locator("[data-testid=space-teams] [data-testid=space-role]")).ToHaveCountAsync(1);
        await CheckAsync(owner, "Space members with a team");
        await member.GotoAsync(spaceUrl + "/files");
        await Expect(member.Locator("[data-testid=upload-form]")).ToBeVisibleAsync();

        // The person's organization role: Member → Auditor, through the members page.
        await owner.GotoAsync(organizationUrl + "/members");
        var row = owner.Locator("[data-testid=member]", new() { HasText = memberEmail });
        await row.Locator("select").SelectOptionAsync("Auditor");
        await row.Locator("button[type=submit]").First.ClickAsync();
        await Expect(owner.Locator(".alert.success")).ToBeVisibleAsync();
        await Expect(owner.Locator("[data-testid=member]", new() { HasText = memberEmail }).Locator("select")).ToHaveValueAsync("Auditor");
        await CheckAsync(owner, "members");

        // Who has access to the Space, and why: the person through the team (editor), and as auditor.
        await owner.GotoAsync(spaceUrl + "/access");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Who has access, and why");
        var access = owner.Locator("[data-testid=access-row]", new() { HasText = memberEmail });
        await Expect(access).ToHaveAttributeAsync("data-level", "can_edit");
        await Expect(access.Locator("[data-testid=reason]", new() { HasText = teamName })).ToContainTextAsync("member of team");
        await Expect(access.Locator("[data-testid=reason]", new() { HasText = teamName })).ToContainTextAsync("editor of Space");
        await CheckAsync(owner, "Space access");
        await owner.GotoAsync(spaceUrl + "/files");
        await owner.Locator("[data-testid=file] a", new() { HasText = "Who has access" }).ClickAsync();
        await Expect(owner.Locator("[data-testid=access-row]", new() { HasText = memberEmail })).ToHaveAttributeAsync("data-level", "can_delete");
        await CheckAsync(owner, "file access");
        var fileAccessUrl = owner.Url;
        await owner.GotoAsync(organizationUrl + "/access");
        await CheckAsync(owner, "organization access");
        await owner.Locator("[data-testid=access-row] a", new() { HasText = "Bruno Member" }).ClickAsync();
        await Expect(owner.Locator("h1")).ToHaveTextAsync("What Bruno Member can reach");
        await Expect(owner.Locator("[data-testid=reach-teams] [data-testid=reach]")).ToHaveCountAsync(1);
        await CheckAsync(owner, "member's reach");

        // The same pages in German.
        await owner.SelectOptionAsync("#culture-select", "de");
        await owner.ClickAsync("footer button[type=submit]");
        await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Worauf Bruno Member zugreifen kann");
        await CheckAsync(owner, "member's reach (German)");
        foreach (var (url, name) in new[]
        {
            (organizationUrl + "/teams", "teams (German)"),
            (teamUrl, "team (German)"),
            (spaceUrl + "/members", "Space members (German)"),
            (organizationUrl + "/members", "members (German)"),
            (spaceUrl + "/access", "Space access (German)"),
            (fileAccessUrl, "file access (German)"),
            (organizationUrl + "/access", "organization access (German)"),
        })
        {
            await owner.GotoAsync(url);
            await Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "de");
            await CheckAsync(owner, name);
        }

        await owner.GotoAsync(spaceUrl + "/access");
        await Expect(owner.Locator("h1")).ToHaveTextAsync("Wer hat Zugriff, und warum");
        await Expect(owner.Locator("[data-testid=access-row]", new() { HasText = memberEmail }).Locator("[data-testid=reason]", new() { HasText = teamName })).ToContainTextAsync("Bearbeiter von Space");

        var summary = axe.Summary();
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.TestOutputHelper?.WriteLine($"layout: {checkedLayouts} page widths checked, {layout.Count} with horizontal overflow");
        TestContext.Current.TestOutputHelper?.WriteLine(axe.Details(blockingOnly: false));
        Assert.Equal(19, axe.Scans.Count); // every page above: 11 in English, 8 in German
        Assert.Equal(38, checkedLayouts);
        Assert.True(layout.Count == 0, string.Join(Environment.NewLine, layout));
        axe.AssertNoBlockingViolations();
    }

    /// <summary>Sign-up, password sign-in and TOTP enrolment, as a new owner does it; ends on the start page.</summary>
    private static async Task SignUpAndEnrolAsync(IPage page, string email, string name, string organization, CancellationToken ct)
    {
        await page.GotoAsync("/account/sign-up");
        await page.FillAsync("#email", email);
        await page.FillAsync("#name", name);
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

    /// <summary>The invitation link from the mail the server wrote to its outbox for <paramref name="email"/> (waits for it).</summary>
    private Task<string> InvitationLinkAsync(string email, CancellationToken ct) => server.MailLinkAsync(email, InvitationLink(), ct);


    [GeneratedRegex(@"https://[^\s""<>]+/invitations/accept\?token=[^\s""<>]+")]
    private static partial Regex InvitationLink();

    [GeneratedRegex(@"https://[^\s""<>]+/account/confirm-email\?[^\s""<>]+")]
    private static partial Regex ConfirmationLink();
}
