using System.Text.RegularExpressions;
using Kastell.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Kastell.Browser.Tests;

/// <summary>Pages are plain HTML forms (static server rendering): they must work with JavaScript switched off.</summary>
public sealed class NoJavaScriptTests(KastellServer server, ChromiumBrowser chromium)
{
    [Fact]
    public async Task SignIn_WithJavaScriptDisabled_PostsTheFormAndShowsTheError()
    {
        await using var context = await chromium.NewContextAsync(server, javaScriptEnabled: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in to Kastell");

        await page.FillAsync("#email", $"nobody-{Guid.NewGuid():N}@example.test");
        await page.FillAsync("#password", "not-the-password-of-anyone");
        // The browser itself must submit the form: wait for the POST and the page it returns.
        var response = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("main button[type=submit]"),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/account/sign-in");

        Assert.Equal(200, response.Status);
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in$"));
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Alert)).ToContainTextAsync("Sign-in failed.");
    }
}
