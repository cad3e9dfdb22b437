using Kastell.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Kastell.Browser.Tests;

/// <summary>The browser, not just the header check, enforces Kastell's CSP: scripts injected into a page do not run.</summary>
public sealed class ContentSecurityPolicyTests(KastellServer server, ChromiumBrowser chromium)
{
    private const string InjectedScript = "window.__x = 1";
    private const string InjectedScriptRan = "() => typeof window.__x !== 'undefined'";

    [Fact]
    public async Task InlineScript_InjectedIntoPage_IsBlocked()
    {
        await using var context = await chromium.NewContextAsync(server);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync("/account/sign-in");
        Assert.NotNull(response);
        Assert.Contains("script-src", await response.HeaderValueAsync("content-security-policy") ?? "");

        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add(message.Text);
                }
            }
        };

        try
        {
            await page.AddScriptTagAsync(new() { Content = InjectedScript });
        }
        catch (PlaywrightException)
        {
            // Playwright (1.64) reports the blocked script as an error; what matters is the checks below.
        }

        Assert.False(await page.EvaluateAsync<bool>(InjectedScriptRan), "An injected inline script ran despite the CSP.");
        // The browser says why: its CSP violation report on the console (events arrive asynchronously).
        Assert.True(
            await EventuallyAsync(() =>
            {
                lock (consoleErrors)
                {
                    return consoleErrors.Any(text => text.Contains("Content Security Policy", StringComparison.Ordinal));
                }
            }),
            "No CSP violation on the console; console errors: " + string.Join(" | ", consoleErrors));
    }

    [Fact]
    public async Task InlineScript_WithCspBypassed_Runs()
    {
        // Control for the test above: the same injection and check do detect a script that runs.
        await using var context = await chromium.NewContextAsync(server, bypassCsp: true);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/sign-in");

        await page.AddScriptTagAsync(new() { Content = InjectedScript });

        Assert.True(await page.EvaluateAsync<bool>(InjectedScriptRan));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(5); waited += TimeSpan.FromMilliseconds(100))
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }
}
