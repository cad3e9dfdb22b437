using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Security;
using Microsoft.Extensions.Localization;
using Microsoft.Net.Http.Headers;

namespace Kastell.Server.Platform.Http.Api.Reference;

/// <summary>
/// The API reference UI at <see cref="Path"/>: Scalar's API reference (the <c>Scalar.AspNetCore</c> package's bundled
/// script, served from here, never from a CDN) reading the public OpenAPI document (<see cref="ApiDocument.Path"/>).
/// Public like the document it shows: it holds no data, and "Test request" needs a bearer token the reader types in.
/// The page keeps the site's CSP with one addition, a per-response style nonce (Scalar injects its stylesheet at run
/// time and reads the nonce from <c>meta[property=csp-nonce]</c>); its scripts are files under this path, so
/// <c>script-src 'self'</c> stays as it is (ADR 0019).
/// </summary>
internal static class ApiReference
{
    public const string Path = "/api/reference";
    public const string ScalarScriptPath = Path + "/scalar.js";
    public const string StartScriptPath = Path + "/kastell-reference.js";
    public const string StylesheetPath = Path + "/kastell-reference.css";

    /// <summary>
    /// The three stylesheets Scalar 1.79 (in Scalar.AspNetCore 3.0.0) adds without the nonce, allowed by their exact
    /// text: the toast library's (injected by its bundler plugin), the default theme (a Vue <c>&lt;style&gt;</c> element)
    /// and the code editor's base theme (CodeMirror, in "Test Request").
    /// A new bundle with other texts fails ApiReferenceTests in the browser (a blocked style element), never silently.
    /// </summary>
    private static readonly string[] ScalarStyleHashes =
    [
        "sha256-l/2OpPg0d+2VLTLgwjf5mQo2CYwHDEqdj5TjbfEyVJI=",
        "sha256-T13Uev3xCax2N28XaoAE8DOzQZKvPp7ZQVAi1iRREjo=",
        "sha256-gmXByKZQ55+6LD1IX9vtDPBwThIQbraY9EGJSFapMGc=",
    ];

    private const string JavaScript = "text/javascript; charset=utf-8";

    private static readonly Lazy<Asset> ScalarScript = new(() => Asset.FromGzip(JavaScript,
        ReadResource(typeof(Scalar.AspNetCore.ScalarOptions).Assembly, "ScalarStaticAssets.scalar.js")));

    private static readonly Lazy<Asset> StartScript = new(() => Asset.FromPlain(JavaScript,
        ReadResource(typeof(ApiReference).Assembly, "Kastell.ApiReference.kastell-reference.js")));

    private static readonly Lazy<Asset> Stylesheet = new(() => Asset.FromPlain("text/css; charset=utf-8",
        ReadResource(typeof(ApiReference).Assembly, "Kastell.ApiReference.kastell-reference.css")));

    public static void MapKastellApiReference(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Page).AllowAnonymous().ReadOnly().ExcludeFromDescription().WithName("ApiReference");
        app.MapGet(ScalarScriptPath, (HttpContext context) => ScalarScript.Value.Write(context))
            .AllowAnonymous().ReadOnly().ExcludeFromDescription().WithName("ApiReferenceScalarScript");
        app.MapGet(StartScriptPath, (HttpContext context) => StartScript.Value.Write(context))
            .AllowAnonymous().ReadOnly().ExcludeFromDescription().WithName("ApiReferenceStartScript");
        app.MapGet(StylesheetPath, (HttpContext context) => Stylesheet.Value.Write(context))
            .AllowAnonymous().ReadOnly().ExcludeFromDescription().WithName("ApiReferenceStylesheet");
    }

    private static IResult Page(HttpContext context, IStringLocalizer<Strings> text)
    {
        var nonce = SecurityHeadersMiddleware.AllowStyleElements(context, ScalarStyleHashes);
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "de" ? "de" : "en";
        var html = $"""
            <!DOCTYPE html>
            <html lang="{language}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta property="csp-nonce" content="{nonce}">
            <title>{Encode(text["ApiReferenceTitle"])}</title>
            <link rel="icon" href="/favicon.svg" type="image/svg+xml">
            <link rel="stylesheet" href="{StylesheetPath}">
            </head>
            <body>
            <noscript><p>{Encode(text["ApiReferenceNoScript"])} <a href="{ApiDocument.Path}">{ApiDocument.Path}</a></p></noscript>
            <div id="app" data-document="{ApiDocument.Path}" data-locale="{language}"></div>
            <script src="{ScalarScriptPath}"></script>
            <script src="{StartScriptPath}"></script>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static string Encode(LocalizedString value) => WebUtility.HtmlEncode(value.Value);

    private static byte[] ReadResource(System.Reflection.Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from {assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// A script or stylesheet held in memory, gzip-compressed once: sent compressed to clients that accept gzip, plain to others,
    /// revalidated by its ETag (the path carries no version, so a cached copy is checked on each load).
    /// </summary>
    private sealed class Asset(string contentType, byte[] plain, byte[] gzip)
    {
        private readonly EntityTagHeaderValue _etag = new($"\"{Convert.ToHexStringLower(SHA256.HashData(plain))[..32]}\"");

        public static Asset FromGzip(string contentType, byte[] gzip)
        {
            using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            input.CopyTo(plain);
            return new Asset(contentType, plain.ToArray(), gzip);
        }

        public static Asset FromPlain(string contentType, byte[] plain)
        {
            using var gzip = new MemoryStream();
            using (var output = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true))
            {
                output.Write(plain);
            }

            return new Asset(contentType, plain, gzip.ToArray());
        }

        public async Task Write(HttpContext context)
        {
            var response = context.Response;
            var headers = response.GetTypedHeaders();
            headers.ETag = _etag;
            headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            response.Headers.Vary = HeaderNames.AcceptEncoding;
            if (context.Request.GetTypedHeaders().IfNoneMatch.Any(e => e.Compare(_etag, useStrongComparison: false)))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.ContentType = contentType;
            var acceptsGzip = context.Request.GetTypedHeaders().AcceptEncoding
                .Any(e => string.Equals(e.Value.Value, "gzip", StringComparison.OrdinalIgnoreCase) && e.Quality is not 0);
            var body = acceptsGzip ? gzip : plain;
            if (acceptsGzip)
            {
                response.Headers.ContentEncoding = "gzip";
            }

            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
