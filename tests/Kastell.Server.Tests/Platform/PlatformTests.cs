using System.Net;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform;

/// <summary>Security baseline, health, localization and error behaviour of the host.</summary>
public sealed class PlatformTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account/sign-in")]
    [InlineData("/no/such/page")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        using var browser = host.CreateBrowser();
        var response = await browser.GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Hsts_IsSentOverHttpsToRealHosts()
    {
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://kastell.example"), AllowAutoRedirect = false });
        var response = await client.GetAsync("/account/sign-in", TestContext.Current.CancellationToken);

        var hsts = Assert.Single(response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Contains("max-age=31536000", hsts, StringComparison.Ordinal);
        Assert.Contains("includeSubDomains", hsts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionAndAntiforgeryCookies_AreHostPrefixedSecureAndHttpOnly()
    {
        // Read the raw Set-Cookie headers: the handler's cookie container hides their attributes.
        using var raw = host.CreateBrowser();
        var page = await raw.GetAsync("/account/sign-up");
        var setCookies = page.Headers.GetValues("Set-Cookie").ToList();
        var antiforgery = Assert.Single(setCookies, c => c.StartsWith("__Host-Kastell-Antiforgery=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", antiforgery, StringComparison.OrdinalIgnoreCase);

        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAsync(raw, email, "Cookie Org 2");
        var signIn = await Journeys.PasswordStepAsync(raw, email, Journeys.GoodPassword);
        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-Kastell=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
        Assert.True(session.Length < 400, "The session cookie should carry only a session id, not the whole ticket.");
    }

    [Fact]
    public async Task Health_LiveAndReady_Answer200_WithTheDatabaseHealthy()
    {
        using var browser = host.CreateBrowser();
        var live = await browser.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = await browser.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // This host has no clamd: ready, with the scanner degraded (ScannerStatusTests); the database is healthy.
        Assert.Contains("{\"name\":\"database\",\"status\":\"Healthy\"", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FormPost_WithoutAntiforgeryToken_IsRefused()
    {
        using var browser = host.CreateBrowser();
        var response = await browser.PostAsync("/account/sign-up", new Dictionary<string, string>
        {
            ["_handler"] = "sign-up",
            ["Input.Email"] = Journeys.UniqueEmail(),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OversizedRequestBody_IsRefused()
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in");
        var response = await browser.PostAsync("/account/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["_handler"] = "sign-in",
            ["Input.Email"] = new string('a', 2 * 1024 * 1024),
        });

        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}");
        Assert.DoesNotContain("Exception", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LanguageSwitch_SetsCookie_AndPagesFollow()
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in");
        Assert.Contains("Sign in to Kastell", browser.LastPage, StringComparison.Ordinal);

        var switched = await browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["culture"] = "de",
            ["returnUrl"] = "/account/sign-in",
        });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/account/sign-in", TestBrowser.LocationOf(switched));

        await browser.GetAsync("/account/sign-in");
        Assert.Contains("Bei Kastell anmelden", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("lang=\"de\"", browser.LastPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr", "/")]
    [InlineData("de", "https://evil.example/")]
    [InlineData("de", "//evil.example")]
    [InlineData("de", "/account/security\r\nSet-Cookie: x=y")]
    [InlineData("de", "/account/security\u001b\u007f\u0085")]
    public async Task LanguageSwitch_RejectsUnknownCulturesAndForeignRedirects(string culture, string returnUrl)
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in");
        var response = await browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["culture"] = culture,
            ["returnUrl"] = returnUrl,
        });

        if (culture == "fr")
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        else
        {
            Assert.Equal("/", TestBrowser.LocationOf(response));
        }
    }

    [Fact]
    public async Task UnknownPage_Answers404WithTheFriendlyPage()
    {
        using var browser = host.CreateBrowser();
        var response = await browser.GetAsync("/definitely/not/here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Not found", browser.LastPage, StringComparison.Ordinal);
    }
}

public sealed class HttpsTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task PlainHttp_IsRefusedWithAnExplanation_ButHealthAnswers()
    {
        using var client = host.CreateClient(new() { BaseAddress = new Uri("http://localhost"), AllowAutoRedirect = false });

        var page = await client.GetAsync("/account/sign-in", TestContext.Current.CancellationToken);
        var health = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("only serves HTTPS", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
