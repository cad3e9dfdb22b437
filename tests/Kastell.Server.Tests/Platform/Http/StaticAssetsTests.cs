using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Kastell.Server.Tests.Architecture;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Http;

/// <summary>
/// Stylesheets and scripts are fetched once per version: each page names them by a fingerprinted address, which is
/// cached for a year as immutable, sent compressed to a browser that accepts it, and revalidated by its ETag.
/// </summary>
public sealed partial class StaticAssetsTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePagesAssets_AreFingerprinted_CachedAsImmutable_Compressed_AndRevalidated()
    {
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://localhost") });
        var page = await client.GetStringAsync("/account/sign-in", Ct);
        // Relative addresses resolve against the page's <base href="/">.
        var assets = AssetReference().Matches(page).Select(m => "/" + m.Groups["url"].Value.TrimStart('/')).Distinct().ToList();
        Assert.Contains(assets, a => a.Contains("kastell.", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));

        foreach (var asset in assets)
        {
            using var plain = await client.GetAsync(asset, Ct);
            Assert.True(HttpStatusCode.OK == plain.StatusCode, $"{asset}: {(int)plain.StatusCode}");
            var cache = plain.Headers.CacheControl;
            Assert.True(cache is { MaxAge: { } age } && age >= TimeSpan.FromDays(365) && cache.Extensions.Any(e => e.Name == "immutable"), $"{asset}: Cache-Control {cache}");
            Assert.NotNull(plain.Headers.ETag);
            var bytes = await plain.Content.ReadAsByteArrayAsync(Ct);
            Assert.NotEmpty(bytes);

            using var gzipRequest = new HttpRequestMessage(HttpMethod.Get, asset);
            gzipRequest.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            using var gzip = await client.SendAsync(gzipRequest, Ct);
            Assert.True(gzip.Content.Headers.ContentEncoding.SequenceEqual(["gzip"]), $"{asset}: Content-Encoding {string.Join(",", gzip.Content.Headers.ContentEncoding)}");
            await using var decompressed = new GZipStream(await gzip.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress);
            using var copy = new MemoryStream();
            await decompressed.CopyToAsync(copy, Ct);
            Assert.Equal(bytes, copy.ToArray());

            using var revalidate = new HttpRequestMessage(HttpMethod.Get, asset);
            revalidate.Headers.IfNoneMatch.Add(plain.Headers.ETag);
            using var notModified = await client.SendAsync(revalidate, Ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
    }

    /// <summary>
    /// A page that names a file of <c>wwwroot</c> by its plain path gets it without a fingerprint: cached for no time,
    /// and after an update the browser may keep the old version. Every reference goes through <c>@Assets[...]</c>.
    /// </summary>
    [Fact]
    public void NoPage_NamesAStaticFileByItsPlainPath()
    {
        var source = Path.Combine(ArchitectureTests.RepositoryRoot(), "src", "Kastell.Server");
        var wwwroot = Path.Combine(source, "wwwroot");
        var files = Directory.EnumerateFiles(wwwroot, "*", SearchOption.AllDirectories)
            .Select(f => "/" + Path.GetRelativePath(wwwroot, f).Replace('\\', '/')).ToList();
        Assert.Contains("/css/kastell.css", files);

        var offenders = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => files.Any(file => l.Text.Contains($"\"{file}\"", StringComparison.Ordinal)))
            .Select(l => $"{Path.GetRelativePath(source, l.File)}:{l.Line}")
            .ToList();
        Assert.Empty(offenders);
    }

    [GeneratedRegex("""<(?:link[^>]*\shref|script[^>]*\ssrc)="(?<url>(?!https?:|//|data:)[^"]+\.(?:css|js|svg))""")]
    private static partial Regex AssetReference();
}
