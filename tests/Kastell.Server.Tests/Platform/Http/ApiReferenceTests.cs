using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Security;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Http;

/// <summary>
/// The API reference UI (/api/reference, ApiReference) over HTTP: a public page in the caller's language, every asset
/// it references served by Kastell itself with its content type, no other host named in what Kastell serves for it
/// (the vendor bundle's mentions are a reviewed list, and what it would contact by default is switched off), and a
/// CSP that differs from the site's only by a fresh style nonce and style hashes. The browser side (what actually
/// loads, leaves, and is refused) is Kastell.Browser.Tests/ApiReferenceTests.
/// </summary>
public sealed partial class ApiReferenceTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Every host named in Scalar's bundle (Scalar.AspNetCore 3.0.0), reviewed: documentation and licence links,
    /// XML/JSON-schema namespaces, example and mock data, the vendor's links in menus that Kastell's configuration
    /// hides, and the vendor's services that Kastell's start script switches off (fonts, proxy, api, registry,
    /// dashboard, hosted client). None is contacted (the browser test aborts and counts any request to another host;
    /// connect-src/font-src/img-src 'self' would refuse them). A new bundle naming a new host fails here until reviewed.
    /// </summary>
    private static readonly HashSet<string> ReviewedBundleHosts =
    [
        "", ".", "127.0.0.1", "localhost", "scratch", "api-hub.com", "api.example.com", "api.scalar.com", "apidocumentation.com",
        "app.cal.com", "app.loops.so", "avatars.githubusercontent.com", "byte-craft.io", "client.scalar.com", "cloud-nest.org",
        "cloud.google.com", "code-base.dev", "dashboard.scalar.com", "data-flow.co", "dev-portal.net", "developer.mozilla.org",
        "developers.cloudflare.com", "discord.gg", "docs.scalar.com", "editor.scalar.com", "example.com", "fonts.scalar.com",
        "galaxy.scalar.com", "github.com", "html.spec.whatwg.org", "json-schema.org", "loremflickr.com", "my-app.io",
        "open-source.dev", "picsum.photos", "proxy.scalar.com", "registry.scalar.com", "scalar.cal.com", "scalar.com",
        "tailwindcss.com", "tech-wave.net", "test-site.org", "unhead.unjs.io", "vuejs.org", "web-pulse.io", "www.ibm.com",
        "www.scalar.com", "www.w3.org", "x.com",
    ];

    [Theory]
    [InlineData("en", "Kastell API reference")]
    [InlineData("de", "Kastell-API-Referenz")]
    public async Task ThePage_IsServedToAnyone_InTheCallersLanguage(string language, string title)
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reference");
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        Assert.Contains($"<title>{title}</title>", html, StringComparison.Ordinal);
        Assert.Contains($"<div id=\"app\" data-document=\"/api/v1/openapi.json\" data-locale=\"{language}\"></div>", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/api/reference/scalar.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("<noscript>", html, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task EveryAssetThePageReferences_IsServedByKastell_WithItsContentType()
    {
        using var client = Client();
        var html = await client.GetStringAsync("/api/reference", Ct);
        var references = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).Distinct().ToList();
        Assert.Equal(
            ["/favicon.svg", "/api/reference/kastell-reference.css", "/api/v1/openapi.json", "/api/v1/openapi.json", "/api/reference/scalar.js", "/api/reference/kastell-reference.js"],
            AssetReference().Matches(html).Select(m => m.Groups["url"].Value).ToList());

        foreach (var url in references)
        {
            Assert.True(url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal), $"{url} is not on this server");
            using var response = await client.GetAsync(url, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode}");
            var expected = Path.GetExtension(url) switch
            {
                ".js" => "text/javascript",
                ".css" => "text/css",
                ".svg" => "image/svg+xml",
                ".json" => "application/json",
                var other => throw new InvalidOperationException($"no expected type for {other}"),
            };
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True((await response.Content.ReadAsByteArrayAsync(Ct)).Length > 0, $"{url} is empty");
        }
    }

    [Fact]
    public async Task NothingServedForTheReference_NamesAnotherHost_BeyondTheReviewedMentionsInTheVendorBundle()
    {
        using var client = Client();
        // Kastell's own parts and the document they show: no absolute URL at all (the document's server is "/").
        foreach (var url in new[] { "/api/reference", "/api/reference/kastell-reference.js", "/api/reference/kastell-reference.css", "/api/v1/openapi.json" })
        {
            var text = await client.GetStringAsync(url, Ct);
            Assert.True(Hosts(text).Count == 0, $"{url} names {string.Join(", ", Hosts(text))}");
        }

        var bundle = await client.GetStringAsync("/api/reference/scalar.js", Ct);
        Assert.Contains("createApiReference", bundle, StringComparison.Ordinal);
        var unreviewed = Hosts(bundle).Except(ReviewedBundleHosts).Order(StringComparer.Ordinal).ToList();
        Assert.True(unreviewed.Count == 0, "Scalar's bundle names hosts nobody reviewed: " + string.Join(", ", unreviewed));

        // The vendor services the bundle uses by default are switched off by the start script.
        var start = await client.GetStringAsync("/api/reference/kastell-reference.js", Ct);
        foreach (var setting in new[]
                 {
                     "withDefaultFonts: false", "telemetry: false", "proxyUrl: ''", "agent: { disabled: true }", "mcp: { disabled: true }",
                     "showDeveloperTools: 'never'", "hideClientButton: true", "persistAuth: false", "credentials: 'omit'",
                     "dashboardUrl: window.location.origin", "registryUrl: window.location.origin", "proxyUrl: window.location.origin",
                     "apiBaseUrl: window.location.origin",
                 })
        {
            Assert.Contains(setting, start, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ThePagesPolicy_DiffersFromTheSitesOnlyByAFreshStyleNonceAndStyleHashes()
    {
        using var client = Client();
        var (first, firstNonce) = await PolicyAndMetaNonceAsync(client);
        var (second, secondNonce) = await PolicyAndMetaNonceAsync(client);
        Assert.NotEqual(firstNonce, secondNonce);

        var directives = Directives(first);
        var baseline = Directives(SecurityHeadersMiddleware.ContentSecurityPolicy);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'none'", directives["style-src-attr"]);
        var style = directives["style-src"].Split(' ');
        Assert.Equal(["'self'", $"'nonce-{firstNonce}'"], style[..2]);
        Assert.All(style[2..], source => Assert.Matches("^'sha256-[A-Za-z0-9+/]{43}='$", source));
        foreach (var (name, value) in baseline.Where(d => d.Key != "style-src"))
        {
            Assert.Equal(value, directives[name]);
        }

        Assert.Equal(baseline.Count + 1, directives.Count); // style-src-attr is the one addition
        Assert.DoesNotContain("unsafe-", first, StringComparison.Ordinal);
        Assert.DoesNotContain("http", first, StringComparison.Ordinal);
        Assert.DoesNotContain("*", first, StringComparison.Ordinal);
        Assert.Contains($"'nonce-{secondNonce}'", second, StringComparison.Ordinal);

        // The assets and the document answer with the site's policy unchanged.
        foreach (var url in new[] { "/api/reference/scalar.js", "/api/reference/kastell-reference.js", "/api/v1/openapi.json" })
        {
            using var response = await client.GetAsync(url, Ct);
            Assert.Equal(SecurityHeadersMiddleware.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public async Task TheBundle_IsSentCompressedOrPlain_AndRevalidatedByItsETag()
    {
        using var client = Client();
        using var plainRequest = new HttpRequestMessage(HttpMethod.Get, "/api/reference/scalar.js");
        using var plain = await client.SendAsync(plainRequest, Ct);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        var plainBytes = await plain.Content.ReadAsByteArrayAsync(Ct);

        using var gzipRequest = new HttpRequestMessage(HttpMethod.Get, "/api/reference/scalar.js");
        gzipRequest.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzip = await client.SendAsync(gzipRequest, Ct);
        Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", gzip.Headers.Vary);
        await using var decompressed = new GZipStream(await gzip.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        await decompressed.CopyToAsync(copy, Ct);
        Assert.Equal(plainBytes, copy.ToArray());
        Assert.True(plainBytes.Length > 1_000_000, $"the bundle has only {plainBytes.Length} bytes");

        Assert.Equal("no-cache", plain.Headers.CacheControl?.ToString());
        using var revalidation = new HttpRequestMessage(HttpMethod.Get, "/api/reference/scalar.js");
        revalidation.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        using var notModified = await client.SendAsync(revalidation, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task ABearerTokenThatIsNotValid_IsRefused_AsEverywhereUnderApi()
    {
        // Public does not mean that credentials are ignored: a bad token is an error here as on the document.
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reference");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "kastell_pat_not-a-token");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private HttpClient Client() => host.CreateClient(new() { BaseAddress = new Uri("https://localhost") });

    private static async Task<(string Policy, string Nonce)> PolicyAndMetaNonceAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/reference", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var nonce = MetaNonce().Match(html);
        Assert.True(nonce.Success, "no csp-nonce meta element");
        return (response.Headers.GetValues("Content-Security-Policy").Single(), nonce.Groups["nonce"].Value);
    }

    private static Dictionary<string, string> Directives(string policy) => policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(d => d.Split(' ', 2)).ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.Ordinal);

    private static HashSet<string> Hosts(string text) =>
        [.. AbsoluteUrl().Matches(text).Select(m => m.Groups["host"].Value.ToLowerInvariant())];

    [GeneratedRegex("(?:src|href|data-document)=\"(?<url>[^\"]+)\"")]
    private static partial Regex AssetReference();

    [GeneratedRegex("""<meta property="csp-nonce" content="(?<nonce>[A-Za-z0-9+/=]+)">""")]
    private static partial Regex MetaNonce();

    [GeneratedRegex("https?://(?<host>[A-Za-z0-9.-]*)", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();
}
