using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// Every page Kastell has — found from the <c>@page</c> directives of its components, so a new page is covered
/// without anyone adding it here — at 390 px (a phone) and 1,280 px (a laptop), in English and German: no horizontal
/// overflow (WCAG 1.4.10 reflow: the document is never wider than the viewport), a header of one or two lines, and
/// axe-core at 0 serious or critical violations. Pages are visited as the owner of an organization with a Space, a
/// file and an audit trail (and a second organization), anonymously, before MFA enrolment and half-way through
/// sign-in, so each shows the state its users see.
/// </summary>
public sealed partial class ReflowTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string Password = "Burg-Zinne-Wehrgang-1492";
    private static readonly int[] Widths = [390, 1280];
    private static readonly string[] Cultures = ["en", "de"];

    /// <summary>Pages a visitor without a session sees in their own state (the rest send them to sign-in).</summary>
    private static readonly string[] AnonymousPages =
    [
        "/", "/account/sign-in", "/account/sign-up", "/account/sign-up/check-email", "/account/forgot-password", "/account/reset-password",
        "/account/confirm-email", "/account/confirm-email/resend", "/account/deleted", "/invitations/accept", "/error", "/not-found",
    ];

    /// <summary>Lines of the header (visible controls grouped by their vertical middle), and what is on them.</summary>
    private const string HeaderLines = """
        () => {
            const items = [...document.querySelectorAll('header.topbar a, header.topbar button, header.topbar summary, header.topbar .who, header.topbar .brand')]
                .filter(e => e.checkVisibility({ visibilityProperty: true }))
                .map(e => ({ e, r: e.getBoundingClientRect() })).filter(x => x.r.width > 0 && x.r.height > 0)
                .map(x => ({ middle: x.r.top + x.r.height / 2, text: (x.e.textContent || '').trim().slice(0, 20) }))
                .sort((a, b) => a.middle - b.middle);
            let lines = 0, last = -1000;
            for (const item of items) { if (item.middle - last > 12) { lines++; last = item.middle; } }
            return [String(lines), items.map(i => `${i.text}@${Math.round(i.middle)}`).join(' | ')];
        }
        """;

    private const string Width = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]";

    /// <summary>For the failure message: the innermost elements that reach past the viewport's right edge.</summary>
    private const string Culprits = """
        () => {
            const limit = document.documentElement.clientWidth;
            const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > limit + 1);
            return wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 4)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(e.getBoundingClientRect().right)})`);
        }
        """;

    [Fact]
    public async Task EveryPage_At390And1280Px_InEnglishAndGerman_NeitherOverflowsNorWrapsItsHeader_AndAxeFindsNothingSerious()
    {
        var ct = TestContext.Current.CancellationToken;
        var axe = new AxeScanner(RepositoryPaths.AxeScript);
        var problems = new List<string>();
        var routes = PageRoutes();
        Assert.True(routes.Count >= 20, $"Only {routes.Count} page routes found.");

        // The owner, with data behind every page: an organization, a Space with a file, audit events, a second organization.
        await using var owner = await chromium.NewContextAsync(server, bypassCsp: true);
        var page = await owner.NewPageAsync();
        var unique = Guid.NewGuid().ToString("N")[..8];
        var email = $"reflow-{unique}@example.test";
        await SignUpAsync(page, email, $"Reflow Burgwerk {unique}");
        await SignInAsync(page, email);
        var authenticator = new Authenticator(await page.Locator("[data-testid=totp-key]").InnerTextAsync());
        await page.FillAsync("#code", await authenticator.NextCodeAsync(ct));
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator("ul.codes li")).ToHaveCountAsync(10);
        foreach (var width in Widths)
        {
            await MeasureAsync(page, axe, problems, $"recovery codes (en, {width} px)", width, navigate: null);
        }

        await page.GetByLabel("I have stored these codes somewhere safe.").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await page.Locator("main a", new() { HasText = "Reflow Burgwerk" }).ClickAsync();
        var organization = new Uri(page.Url).AbsolutePath;
        await page.FillAsync("#space-name", $"Informationssicherheitsmanagementsystem mit einem sehr langen Namen {unique}");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/s/[^/]+$"));
        var space = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(space + "/files");
        await page.SetInputFilesAsync("#upload-file", new FilePayload
        {
            Name = "Risikobewertung-und-Behandlungsplan-fuer-das-Geschaeftsjahr-2027-Entwurf-Version-3.txt",
            MimeType = "text/plain",
            Buffer = System.Text.Encoding.UTF8.GetBytes("Risiko: gering."),
        });
        await page.ClickAsync("[data-testid=upload-form] button[type=submit]");
        await Expect(page.Locator("[data-testid=file]")).ToHaveCountAsync(1);
        await page.GotoAsync("/organizations/new");
        await page.FillAsync("#organization-name", $"Tochtergesellschaft {unique}");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/o/tochtergesellschaft-"));

        // A team, a service account and a framework, and the "who has access" links the lists offer: the pages of one object.
        await page.GotoAsync(organization + "/teams");
        await page.FillAsync("#team-name", $"Informationssicherheitsteam {unique}");
        await page.ClickAsync("main form button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/teams/[0-9a-f-]{36}$"));
        var team = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(organization + "/service-accounts");
        await page.FillAsync("#sa-name", $"ci-pipeline-{unique}");
        await page.ClickAsync("main form button[type=submit]");
        var serviceAccount = await page.Locator("[data-testid=service-accounts] a[href*='/service-accounts/']").First.GetAttributeAsync("href");
        // A domain claim, so the domains page is measured with its TXT record (a long name and value) in the table.
        await page.GotoAsync(organization + "/settings/domains");
        await page.FillAsync("#domain-name", $"informationssicherheitsmanagement-{unique}.example.test");
        await page.ClickAsync("main form.form button[type=submit]");
        await Expect(page.Locator("[data-testid=domain]")).ToHaveCountAsync(1);
        await page.GotoAsync(organization + "/frameworks");
        await page.SetInputFilesAsync("#framework-file", new FilePayload
        {
            Name = "hauskatalog.json",
            MimeType = "application/json",
            Buffer = System.Text.Encoding.UTF8.GetBytes(MinimalCatalog),
        });
        await page.ClickAsync("[data-testid=import-form] button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/frameworks/[0-9a-f-]{36}"));
        var framework = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(space + "/frameworks"); // adopted in the Space: its statement of applicability, and a control
        await page.ClickAsync("[data-testid=adopt-form] button[type=submit]");
        await page.Locator("[data-testid=adoption] a").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/soa/[0-9a-f-]{36}"));
        var applicability = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(space + "/controls");
        await page.FillAsync("#control-title", $"Verantwortlichkeiten für Informationssicherheit festlegen {unique}");
        await page.ClickAsync("[data-testid=create-control] button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/controls/[0-9a-f-]{36}"));
        var control = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(organization + "/members");
        var memberAccess = await page.Locator("a[href$='/access'][href*='/members/']").First.GetAttributeAsync("href");
        await page.GotoAsync(space + "/files");
        var fileAccess = await page.Locator("a[href$='/access'][href*='/files/']").First.GetAttributeAsync("href");
        await page.GotoAsync(space + "/assets/new");
        await page.FillAsync("#asset-name", $"Personalverwaltungssystem mit Lohnabrechnung und Zeiterfassung {unique}");
        await page.FillAsync("#asset-description", "Verarbeitet Personaldaten aller Beschäftigten.");
        await page.ClickAsync("[data-testid=create-asset] button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/assets/[0-9a-f-]{36}"));
        var asset = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(space + "/evidence/new?kind=Note");
        await page.FillAsync("#evidence-title", $"Protokoll der jährlichen Überprüfung aller Berechtigungen im Personalverwaltungssystem {unique}");
        await page.FillAsync("#evidence-note", "Alle Berechtigungen geprüft; zwei verwaiste Konten entfernt.");
        await page.FillAsync("#evidence-effective", "2026-11-30");
        await page.Locator("[data-testid=evidence-assets] input[type=checkbox]").First.CheckAsync();
        await page.ClickAsync("[data-testid=create-evidence] button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/evidence/[0-9a-f-]{36}"));
        var evidence = new Uri(page.Url).AbsolutePath;
        var objectPages = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["/o/{org}/s/{space}/assets/{id:guid}"] = asset,
            ["/o/{org}/s/{space}/assets/{id:guid}/edit"] = asset + "/edit",
            ["/o/{org}/s/{space}/evidence/{id:guid}"] = evidence,
            ["/o/{org}/teams/{id:guid}"] = team,
            ["/o/{org}/service-accounts/{id:guid}"] = serviceAccount,
            ["/o/{org}/frameworks/{id:guid}"] = framework,
            ["/o/{org}/members/{userId:guid}/access"] = memberAccess,
            ["/o/{org}/s/{space}/files/{id:guid}/access"] = fileAccess,
            ["/o/{org}/s/{space}/controls/{id:guid}"] = control,
            ["/o/{org}/s/{space}/soa/{framework:guid}"] = applicability,
        };

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org"] = organization["/o/".Length..],
            ["space"] = space[(space.LastIndexOf('/') + 1)..],
        };
        var ownerPages = routes
            .Select(r => objectPages.TryGetValue(r, out var url) ? url ?? throw new InvalidOperationException($"No page of one object found for {r}.") : Fill(r, values))
            .Append(space + "/files?upload=quarantined").ToList();

        // Someone signed in with the password only (before enrolment), and someone half-way through signing in.
        await using var unenrolled = await chromium.NewContextAsync(server, bypassCsp: true);
        var unenrolledPage = await unenrolled.NewPageAsync();
        var unenrolledEmail = $"reflow-new-{unique}@example.test";
        await SignUpAsync(unenrolledPage, unenrolledEmail, $"Reflow Neu {unique}");
        await SignInAsync(unenrolledPage, unenrolledEmail);
        await using var halfway = await chromium.NewContextAsync(server, bypassCsp: true);
        var halfwayPage = await halfway.NewPageAsync();
        await SignInAsync(halfwayPage, email, expect: "/account/sign-in/mfa");
        await using var anonymous = await chromium.NewContextAsync(server, bypassCsp: true);
        var anonymousPage = await anonymous.NewPageAsync();

        var visits = new[]
        {
            (Who: "owner", Page: page, Urls: ownerPages),
            (Who: "anonymous", Page: anonymousPage, Urls: AnonymousPages.ToList()),
            (Who: "before enrolment", Page: unenrolledPage, Urls: ["/account/mfa/setup"]),
            (Who: "half-way through sign-in", Page: halfwayPage, Urls: ["/account/sign-in/mfa", "/account/sign-in/recovery"]),
        };
        var visited = 0;
        foreach (var culture in Cultures)
        {
            foreach (var (who, tab, urls) in visits)
            {
                await SwitchLanguageAsync(tab, culture, urls[0]);
                foreach (var url in urls)
                {
                    foreach (var width in Widths)
                    {
                        await MeasureAsync(tab, axe, problems, $"{url} as {who} ({culture}, {width} px)", width, url);
                        visited++;
                    }
                }
            }

            // The phone menu, opened, stays inside the screen and shows every link.
            await page.SetViewportSizeAsync(390, 844);
            await page.GotoAsync(organization + "/audit");
            if (await page.Locator("header details.nav-narrow > summary").CountAsync() == 0)
            {
                problems.Add($"{organization}/audit ({culture}, 390 px): the header has no phone menu (details.nav-narrow).");
                continue;
            }

            await page.ClickAsync("header details.nav-narrow > summary");
            await Expect(page.Locator("header details.nav-narrow .nav-menu a[href='/account/security']")).ToBeVisibleAsync();
            await MeasureAsync(page, axe, problems, $"open menu ({culture}, 390 px)", 390, navigate: null, menuOpen: true);
        }

        var summary = $"{visited} page visits, {routes.Count} routes; {axe.Summary()}";
        Console.WriteLine(summary);
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        TestContext.Current.TestOutputHelper?.WriteLine(axe.Details(blockingOnly: false));
        Assert.True(problems.Count == 0, $"{problems.Count} reflow problems:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
        axe.AssertNoBlockingViolations();
    }

    /// <summary>Every <c>@page</c> route of the server's components, read from the sources.</summary>
    internal static List<string> PageRoutes() =>
        [.. Directory.EnumerateFiles(Path.Combine(RepositoryPaths.ServerProjectDirectory), "*.razor", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(File.ReadLines)
            .Select(line => PageDirective().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .Distinct()
            .Order(StringComparer.Ordinal)];

    /// <summary>An OSCAL 1.1 catalog of two controls with long German titles, for the framework pages.</summary>
    private const string MinimalCatalog = """
        {"catalog":{"uuid":"6f1c2f0e-5d0b-4a8e-9a43-0c6d2f1b7a11","metadata":{"title":"Hauskatalog für Informationssicherheit und Datenschutzmanagement","last-modified":"2026-12-01T00:00:00Z","version":"1","oscal-version":"1.1.3"},
        "groups":[{"id":"org","title":"Organisation","controls":[{"id":"org-1","title":"Verantwortlichkeiten für Informationssicherheit festlegen und dokumentieren"},{"id":"org-2","title":"Regelmäßige Überprüfung der Sicherheitsleitlinie durch die Geschäftsführung"}]}]}}
        """;

    private static string Fill(string route, IReadOnlyDictionary<string, string> values) =>
        RouteParameter().Replace(route, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"The route {route} has a parameter {{{m.Groups[1].Value}}} this test has no value for: add one, with data behind it."));

    private static async Task MeasureAsync(IPage page, AxeScanner axe, List<string> problems, string name, int width, string? navigate, bool menuOpen = false)
    {
        await page.SetViewportSizeAsync(width, width < 600 ? 844 : 800);
        if (navigate is not null)
        {
            await page.GotoAsync(navigate);
        }

        // Two frames: the layout after the resize, not the one before it.
        await page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
        var sizes = await page.EvaluateAsync<int[]>(Width);
        if (sizes[0] > sizes[1])
        {
            var culprits = await page.EvaluateAsync<string[]>(Culprits);
            problems.Add($"{name}: the document is {sizes[0]} px wide in a {sizes[1]} px viewport ({page.Url}); widest: {string.Join(", ", culprits)}.");
        }

        var header = await page.EvaluateAsync<string[]>(HeaderLines);
        if (int.Parse(header[0], System.Globalization.CultureInfo.InvariantCulture) > 2 && !menuOpen)
        {
            problems.Add($"{name}: the header wraps over {header[0]} lines ({page.Url}): {header[1]}.");
        }

        await axe.ScanAsync(page, name);
    }

    private static async Task SignUpAsync(IPage page, string email, string organization)
    {
        await page.GotoAsync("/account/sign-up");
        await page.FillAsync("#email", email);
        await page.FillAsync("#name", "Ada Lovelace-Byron von Wehrgang");
        await page.FillAsync("#org", organization);
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-up/check-email$"));
    }

    private static async Task SignInAsync(IPage page, string email, string expect = "/account/mfa/setup")
    {
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("main button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(expect)));
    }

    private static async Task SwitchLanguageAsync(IPage page, string culture, string onPage)
    {
        await page.SetViewportSizeAsync(1280, 800);
        await page.GotoAsync(onPage);
        await page.SelectOptionAsync("#culture-select", culture);
        await page.ClickAsync("footer button[type=submit]");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);
    }

    [GeneratedRegex("^@page \"([^\"]+)\"")]
    private static partial Regex PageDirective();

    [GeneratedRegex("\\{([A-Za-z]+)(?::[^}]*)?\\}")]
    private static partial Regex RouteParameter();
}
