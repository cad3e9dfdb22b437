using Microsoft.Playwright;

namespace Kastell.Browser.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright. Playwright's own browser download is not used (and cannot work offline):
/// the driver ships in the NuGet package, the browser comes from apt (scripts/test.sh installs it).
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is missing at {ExecutablePath}. Install it with `apt-get install -y chromium fonts-liberation` (scripts/test.sh does this).");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No sandbox: tests run as root in containers, where Chromium's sandbox cannot start. The rest keeps
            // Chromium from calling home and from work the tests do not need.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>A fresh context (own cookies) pointed at the server, in English unless the test switches language.</summary>
    public Task<IBrowserContext> NewContextAsync(KastellServer server, bool bypassCsp = false, bool javaScriptEnabled = true) =>
        Browser.NewContextAsync(new()
        {
            BaseURL = server.BaseAddress.ToString(),
            Locale = "en-US",
            // The server's certificate is self-signed for this run (KastellServer); scoped to test contexts rather
            // than a browser-wide --ignore-certificate-errors.
            IgnoreHTTPSErrors = true,
            BypassCSP = bypassCsp,
            JavaScriptEnabled = javaScriptEnabled,
        });
}
