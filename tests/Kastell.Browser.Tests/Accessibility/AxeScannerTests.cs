using Kastell.Browser.Tests.Infrastructure;

namespace Kastell.Browser.Tests.Accessibility;

/// <summary>
/// The journey reports no accessibility violations; this shows that the scanner would have seen them: the same
/// injection and collection find known faults on a deliberately broken page.
/// </summary>
public sealed class AxeScannerTests(ChromiumBrowser chromium)
{
    private const string BrokenPage = """
        <!DOCTYPE html>
        <html>
        <head><title>Broken</title></head>
        <body>
            <main>
                <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
                <input type="text" id="unlabelled">
            </main>
        </body>
        </html>
        """;

    [Fact]
    public async Task Scan_OfPageWithKnownFaults_ReportsThemAsBlocking()
    {
        await using var context = await chromium.Browser.NewContextAsync(new() { BypassCSP = true });
        var page = await context.NewPageAsync();
        await page.SetContentAsync(BrokenPage);
        var axe = new AxeScanner(RepositoryPaths.AxeScript);

        await axe.ScanAsync(page, "broken");

        var violations = axe.Scans.Single().Violations;
        var ids = violations.Select(v => v.Id).ToHashSet();
        Assert.Contains("image-alt", ids);
        Assert.Contains("html-has-lang", ids);
        Assert.Contains("label", ids);
        Assert.All(violations.Where(v => v.Id == "image-alt"), v => Assert.Equal("critical", v.Impact));
        Assert.Contains("img", violations.Single(v => v.Id == "image-alt").Targets.Single());
        Assert.Throws<Xunit.Sdk.TrueException>(axe.AssertNoBlockingViolations);
    }
}
