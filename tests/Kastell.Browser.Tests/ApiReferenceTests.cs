using System.Text.Json;
using Kastell.Browser.Tests.Accessibility;
using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>
/// The API reference UI (/api/reference) in Chromium under Kastell's real CSP: it renders the API's endpoints, no
/// request leaves the server (every non-local request is recorded and aborted), "Test request" sends the bearer
/// token typed in and never the browser's cookies, the only CSP refusals are the two the policy makes on purpose, and
/// axe-core finds nothing serious or critical, in English and German, at 390 and 1,280 px without horizontal overflow.
/// </summary>
public sealed class ApiReferenceTests(KastellServer server, ChromiumBrowser chromium)
{
    // Records CSP refusals as the page sees them (directive, what was blocked, where), from before any script runs.
    private const string RecordViolations = """
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', e => window.__violations.push(
            { directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile + ':' + e.lineNumber }));
        """;

    [Fact]
    public async Task TheReference_ListsTheEndpoints_AndTestRequestSendsTheBearerTokenWithoutCookies_NothingLeavingTheServer()
    {
        await using var context = await chromium.NewContextAsync(server);
        // A cookie the browser holds for Kastell's origin: a request that carried cookies would carry this one.
        await context.AddCookiesAsync([new Cookie { Name = "probe", Value = "must-not-reach-the-api", Url = server.BaseAddress.ToString(), Secure = true }]);
        var outside = RecordAndAbortRequestsLeaving(context);
        var page = await context.NewPageAsync();
        await page.AddInitScriptAsync(RecordViolations);
        var apiRequests = new List<IRequest>();
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath.StartsWith("/api/v1/o/", StringComparison.Ordinal))
            {
                lock (apiRequests)
                {
                    apiRequests.Add(request);
                }
            }
        };

        var response = await page.GotoAsync("/api/reference");
        Assert.Equal(200, response!.Status);
        // Scalar parses a 5 MB bundle and then the document: on a loaded two-core machine that takes longer than the default 5 s.
        await Expect(page.Locator("h1").First).ToHaveTextAsync("Kastell API", new() { Timeout = 60_000 });
        // Every tag in the sidebar; opened, each lists its operations: every operation of the document is there.
        var sidebar = page.GetByRole(AriaRole.Complementary);
        var tags = await TagsAsync(page); // from the document: a new feature's tag is opened without editing this test
        Assert.Superset(new HashSet<string> { "Organizations", "Spaces", "Members", "Invitations", "Settings", "Audit", "Files" }, tags);
        foreach (var tag in tags)
        {
            var open = sidebar.GetByRole(AriaRole.Button, new() { Name = $"Open Group - {tag}", Exact = true });
            if (await open.CountAsync() > 0)
            {
                await open.ClickAsync();
            }

            await Expect(sidebar.GetByRole(AriaRole.Button, new() { Name = $"Close Group - {tag}", Exact = true })).ToBeVisibleAsync();
        }

        var operations = await OperationsAsync(page);
        Assert.True(operations.Count >= 15, $"only {operations.Count} operations in the document");
        var missing = new List<string>();
        foreach (var (method, path) in operations)
        {
            var anchor = $"/{method.ToUpperInvariant()}{path}";
            if (await sidebar.Locator($"a[href$=\"{anchor}\"]").CountAsync() != 1)
            {
                missing.Add($"{method} {path}");
            }
        }

        Assert.True(missing.Count == 0, "Operations not on the page: " + string.Join(", ", missing));

        // Try it out: the in-page client, a token typed in, the organization filled, sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Test Request" }).First.ClickAsync();
        var token = "kastell_pat_" + Guid.NewGuid().ToString("N");
        await page.Locator("input[placeholder=Token]:visible").Last.FillAsync(token);
        var organization = Guid.NewGuid();
        var valueCell = page.Locator("tr#org [data-placeholder=Value]:visible").Last;
        await valueCell.ClickAsync();
        await page.Keyboard.TypeAsync(organization.ToString());
        var sent = page.WaitForResponseAsync(r => r.Url.EndsWith($"/api/v1/o/{organization}", StringComparison.Ordinal));
        await page.Locator("[data-addressbar-action=send]:visible").First.ClickAsync();
        var answer = await sent;

        var headers = await answer.Request.AllHeadersAsync();
        Assert.Equal($"Bearer {token}", headers.GetValueOrDefault("authorization"));
        Assert.False(headers.ContainsKey("cookie"), "The reference's request carried cookies: " + headers.GetValueOrDefault("cookie"));
        Assert.Equal(401, answer.Status); // an unknown token, answered by the API itself
        Assert.StartsWith("application/problem+json", await answer.HeaderValueAsync("content-type") ?? "", StringComparison.Ordinal);
        await Expect(page.GetByText("401", new() { Exact = false }).First).ToBeVisibleAsync();
        Assert.Single(apiRequests);

        // Control: a plain same-origin fetch from this page does carry the cookie, so the check above can fail.
        var control = page.WaitForRequestAsync(r => r.Url.EndsWith("/api/v1/openapi.json?control", StringComparison.Ordinal));
        await page.EvaluateAsync("() => fetch('/api/v1/openapi.json?control')");
        Assert.Contains("probe=must-not-reach-the-api", (await (await control).AllHeadersAsync()).GetValueOrDefault("cookie") ?? "", StringComparison.Ordinal);

        Assert.True(outside.Count == 0, "Requests to other hosts: " + string.Join(", ", outside));
        var unexpected = (await ViolationsAsync(page)).Where(v => !IsExpected(v)).ToList();
        Assert.True(unexpected.Count == 0, "Unexpected CSP refusals: " + string.Join(" | ", unexpected));
    }

    [Fact]
    public async Task TheReference_IsAccessible_InEnglishAndGerman_WithoutHorizontalOverflow()
    {
        var axe = new AxeScanner(RepositoryPaths.AxeScript);
        var clientAxe = new AxeScanner(RepositoryPaths.AxeScript);
        foreach (var (language, width) in new[] { ("en", 1280), ("de", 1280), ("en", 390), ("de", 390) })
        {
            // BypassCSP only so axe-core can be injected (the test above runs under the real policy).
            await using var context = await chromium.Browser.NewContextAsync(new()
            {
                BaseURL = server.BaseAddress.ToString(),
                Locale = language == "de" ? "de-DE" : "en-US",
                IgnoreHTTPSErrors = true,
                BypassCSP = true,
                ViewportSize = new() { Width = width, Height = 800 },
            });
            var outside = RecordAndAbortRequestsLeaving(context);
            var page = await context.NewPageAsync();
            await page.GotoAsync("/api/reference");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            await Expect(page).ToHaveTitleAsync(language == "de" ? "Kastell-API-Referenz" : "Kastell API reference");
            await Expect(page.Locator("h1").First).ToHaveTextAsync("Kastell API");
            await axe.ScanAsync(page, $"API reference ({language}, {width} px)");
            if (width > 1000)
            {
                // The theme's other half, and the in-page client ("Test Request") in it.
                await page.GetByRole(AriaRole.Button, new() { Name = "Set dark mode" }).ClickAsync();
                await axe.ScanAsync(page, $"API reference, dark ({language}, {width} px)");
                await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(Test Request|Request testen)") }).First.ClickAsync();
                await Expect(page.Locator("[data-addressbar-action=send]:visible").First).ToBeVisibleAsync();
                await clientAxe.ScanAsync(page, $"API reference, test request, dark ({language}, {width} px)");
            }

            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{language}, {width} px: {overflow} px of horizontal overflow");
            Assert.True(outside.Count == 0, "Requests to other hosts: " + string.Join(", ", outside));
        }

        TestContext.Current.SendDiagnosticMessage(axe.Summary() + Environment.NewLine + axe.Details(blockingOnly: false));
        TestContext.Current.SendDiagnosticMessage("Test Request client: " + clientAxe.Summary() + Environment.NewLine + clientAxe.Details(blockingOnly: false));
        axe.AssertNoBlockingViolations();

        // Scalar's in-page client has two faults of its own that Kastell cannot fix from outside (listed in ADR 0019):
        // its key/value cells are contenteditable role="combobox" elements without aria-expanded and aria-controls
        // (critical), and its "More Information" popover button has role="none" with an aria-label (serious).
        // Anything else fails.
        var unknown = clientAxe.Scans.SelectMany(scan => scan.Violations.Where(v => v.IsBlocking && !IsKnownClientFault(v)).Select(v => $"{scan.Page}: {v}")).ToList();
        Assert.True(unknown.Count == 0, "Serious or critical violations in the Test Request client beyond the two known ones:" + Environment.NewLine + string.Join(Environment.NewLine, unknown));
    }

    private static bool IsKnownClientFault(AxeViolation violation) => violation.Id switch
    {
        "aria-required-attr" => violation.Targets.All(t => t.Contains(".code-input-lite__editor", StringComparison.Ordinal)),
        "aria-prohibited-attr" => violation.Targets.All(t => t.StartsWith("#headlessui-popover-button-scalar-client-", StringComparison.Ordinal)),
        _ => false,
    };

    /// <summary>
    /// What the policy refuses on purpose: the validation library's probe for <c>Function</c> (it falls back to its
    /// interpreter; eval stays forbidden) and style attributes (a scrollbar-width probe and code blocks' line-count
    /// variables: cosmetic, see ApiReference).
    /// </summary>
    private static bool IsExpected(Violation violation) =>
        (violation.Directive == "script-src" && violation.Blocked == "eval") || violation.Directive == "style-src-attr";

    /// <summary>Method and path of every operation in the served OpenAPI document.</summary>
    private static async Task<HashSet<string>> TagsAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/api/v1/openapi.json");
        using var document = JsonDocument.Parse(await response.TextAsync());
        return document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .Where(operation => operation.Value.ValueKind == JsonValueKind.Object && operation.Value.TryGetProperty("tags", out _))
            .SelectMany(operation => operation.Value.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()!))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<List<(string Method, string Path)>> OperationsAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/api/v1/openapi.json");
        using var document = JsonDocument.Parse(await response.TextAsync());
        return document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (operation.Name, path.Name)))
            .ToList();
    }

    private static async Task<List<Violation>> ViolationsAsync(IPage page) =>
        (await page.EvaluateAsync<JsonElement>("() => window.__violations")).Deserialize<List<Violation>>(new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];

    private List<string> RecordAndAbortRequestsLeaving(IBrowserContext context)
    {
        var outside = new List<string>();
        context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.Scheme is "data" or "blob" || (url.Host == server.BaseAddress.Host && url.Port == server.BaseAddress.Port))
            {
                await route.ContinueAsync();
                return;
            }

            lock (outside)
            {
                outside.Add(route.Request.Url);
            }

            await route.AbortAsync();
        }).GetAwaiter().GetResult();
        return outside;
    }

    private sealed record Violation(string Directive, string Blocked, string Source)
    {
        public override string ToString() => $"{Directive} blocked {Blocked} at {Source}";
    }
}
