using System.Text.Json;
using Microsoft.Playwright;

namespace Kastell.Browser.Tests.Accessibility;

/// <summary>
/// Runs axe-core (from tests/js/node_modules, pinned by package-lock.json) on the current page and keeps every result,
/// so a test can scan each page it visits and assert once at the end with the full list.
/// The page's context must be created with BypassCSP: Kastell's CSP (correctly) forbids injected scripts.
/// </summary>
public sealed class AxeScanner
{
    // Only what the report needs crosses back from the page.
    private const string RunAxe = """
        async () => {
            const results = await axe.run(document, { resultTypes: ['violations'] });
            return results.violations.map(v => ({
                id: v.id,
                impact: v.impact ?? 'unknown',
                help: v.help,
                targets: v.nodes.map(n => n.target.join(' '))
            }));
        }
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string axeScript;
    private readonly List<AxePageScan> scans = [];

    public AxeScanner(string axeScriptPath)
    {
        axeScript = File.ReadAllText(axeScriptPath);
    }

    public IReadOnlyList<AxePageScan> Scans => scans;

    public async Task ScanAsync(IPage page, string name)
    {
        await page.AddScriptTagAsync(new() { Content = axeScript });
        var raw = await page.EvaluateAsync<JsonElement>(RunAxe);
        var violations = raw.Deserialize<List<AxeViolation>>(Json) ?? [];
        scans.Add(new AxePageScan(name, page.Url, violations));
    }

    /// <summary>Rule violations per impact across all scans (one per rule and page, however many elements).</summary>
    public IReadOnlyDictionary<string, int> CountByImpact() =>
        scans.SelectMany(s => s.Violations).GroupBy(v => v.Impact).ToDictionary(g => g.Key, g => g.Count());

    public string Summary()
    {
        var counts = CountByImpact();
        string Count(string impact) => $"{impact} {counts.GetValueOrDefault(impact)}";
        return $"axe-core: {scans.Count} pages scanned; violations by impact: {Count("critical")}, {Count("serious")}, {Count("moderate")}, {Count("minor")}";
    }

    /// <summary>Every violation on every page, one per line, for logs and failure messages.</summary>
    public string Details(bool blockingOnly) => string.Join(
        Environment.NewLine,
        scans.SelectMany(s => s.Violations.Where(v => !blockingOnly || v.IsBlocking).Select(v => $"{s.Page} ({s.Url}): {v}")));

    public void AssertNoBlockingViolations()
    {
        var blocking = scans.SelectMany(s => s.Violations).Count(v => v.IsBlocking);
        Assert.True(blocking == 0, $"{blocking} serious or critical accessibility violations:{Environment.NewLine}{Details(blockingOnly: true)}");
    }
}
