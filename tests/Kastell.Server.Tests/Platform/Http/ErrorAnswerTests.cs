using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Http;

/// <summary>
/// The answers a refused request gets beyond what the in-memory server shows: a rate limit (a page with
/// <c>Retry-After</c> for a form, problem details for a JSON client), and what only Kestrel does — its request body
/// limit under an upload and a form, and a NUL in the request line.
/// </summary>
public sealed class ErrorAnswerTests(SmtpSink mail)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RateLimitedForm_Answers429_WithRetryAfter_AndATooManyRequestsPage_InTheUsersLanguage()
    {
        await using var limited = new TightlyLimitedHost(mail);
        using var browser = limited.CreateBrowser();
        browser.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");

        var refused = await ForgotPasswordUntilRefusedAsync(browser);

        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html lang=\"de\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("<h1>Zu viele Anfragen</h1>", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"Bitte warten Sie {(int)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds} s", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Nicht gefunden", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitedJsonClient_Answers429_WithRetryAfter_AsProblemDetails()
    {
        await using var limited = new TightlyLimitedHost(mail);
        using var browser = limited.CreateBrowser();
        browser.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");
        browser.Client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        var refused = await ForgotPasswordUntilRefusedAsync(browser);

        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(browser.LastPage!);
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Zu viele Anfragen", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ApiAddresses_AnswerErrorsAsProblemDetails_NotAsPages()
    {
        await using var host = new SqliteHost(mail);
        using var browser = host.CreateBrowser();
        browser.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");

        // Without a token every /api/v1 address answers 401 before routing (nothing says whether it exists), as
        // problem details in the caller's language; with a token, 404 and 405 are the API tests' (ApiResourceTests).
        var missing = await browser.GetAsync("/api/v1/o/no-such-organization/nothing");
        using var wrongMethod = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/o/no-such-organization/nothing");
        var deleted = await browser.Client.SendAsync(wrongMethod, Ct);

        foreach (var (response, body) in new[] { (missing, browser.LastPage!), (deleted, await deleted.Content.ReadAsStringAsync(Ct)) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("api.unauthenticated", problem.RootElement.GetProperty("code").GetString());
            Assert.Equal("Ein gültiges API-Token ist erforderlich.", problem.RootElement.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task ThroughKestrel_AnUploadOverTheBodyLimit_ShowsTheFilesPagesOwnMessage_AndAnOversizeForm_IsA413Page()
    {
        const int maxUploadBytes = 100_000;
        var data = Directory.CreateTempSubdirectory("kastell-kestrel-limits-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(
            [
                new("Kastell:DataDirectory", data),
                new("Kastell:Database:Provider", "Sqlite"),
                new("Kastell:Database:MigrateOnStartup", "true"),
                new("Kastell:Email:SmtpHost", mail.Host),
                new("Kastell:Email:SmtpPort", mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Kastell:Email:AllowInsecureLoopbackSmtp", "true"),
                new("Kastell:Email:PublicBaseUrl", KastellHost.PublicBaseUrl),
                new("Kastell:Storage:MaxUploadBytes", maxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Logging:LogLevel:Default", "Warning"),
            ]);
            using var browser = server.CreateBrowser();
            var owner = await Journeys.SignUpAndEnrolAsync(browser);
            Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(browser, owner.OrganizationSlug, "Limits")).StatusCode);
            await browser.GetAsync("/");
            await browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = "/" });
            var files = $"/o/{owner.OrganizationSlug}/s/limits/files";

            // Beyond the file limit and the multipart allowance: Kestrel's body limit stops the read.
            var upload = await Features.Files.FileEndpointTests.UploadAsync(browser, files, "gross.bin", new byte[maxUploadBytes + 200_000]);

            Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
            Assert.Equal($"{files}?upload=too-large", TestBrowser.LocationOf(upload));
            await browser.GetAsync(TestBrowser.LocationOf(upload)!);
            Assert.Contains("<html lang=\"de\"", browser.LastPage, StringComparison.Ordinal);
            Assert.Contains("Die Datei wurde nicht angenommen: Sie ist größer als", browser.LastPage, StringComparison.Ordinal);

            // A form over Kestrel's request body limit (1 MiB) to a page.
            await browser.GetAsync("/account/security");
            var form = await browser.PostAsync("/account/security", new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
                ["Input.Name"] = new string('x', 2 * 1024 * 1024),
            });

            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, form.StatusCode);
            Assert.Contains("<html lang=\"de\"", browser.LastPage, StringComparison.Ordinal);
            Assert.Contains("<h1>Zu groß</h1>", browser.LastPage, StringComparison.Ordinal);

            // A NUL in the path: Kestrel refuses the request line itself, before Kastell sees it.
            using var nul = await browser.Client.GetAsync($"/o/{owner.OrganizationSlug}%00/members", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
            Assert.DoesNotContain("Exception", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<HttpResponseMessage> ForgotPasswordUntilRefusedAsync(TestBrowser browser)
    {
        for (var i = 0; i < 10; i++)
        {
            await browser.GetAsync("/account/forgot-password");
            var token = browser.AnyAntiforgeryToken();
            var response = await browser.PostAsync("/account/forgot-password", new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["_handler"] = "forgot-password",
                ["Input.Email"] = Journeys.UniqueEmail(),
            });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }
        }

        Assert.Fail("Ten posts a minute from one client were not refused with a limit of two.");
        return null!;
    }

    /// <summary>Two secret-checking posts a minute per client, so the third is refused.</summary>
    private sealed class TightlyLimitedHost(SmtpSink mail) : SqliteHost(mail)
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:RateLimits:AuthenticationPerMinute", "2")];
    }
}
