using System.Security.Cryptography;

namespace Kastell.Server.Platform.Security;

/// <summary>
/// The browser-side baseline on every response: a CSP that allows no inline or evaluated script, no framing,
/// no MIME sniffing, no referrer leakage across origins, and no powerful browser features.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // base-uri 'self': the layout's <base href="/"> must apply, or relative asset URLs (css/…, js/…) resolve below
    // the current path and 404 on every nested page; another origin still cannot be injected as base.
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    internal const string PermissionsPolicy =
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()";

    private static readonly object StyleSourcesKey = new();

    /// <summary>
    /// Lets this response's page add <c>&lt;style&gt;</c> elements that carry the returned fresh nonce or whose text has
    /// one of the given hashes (<c>sha256-…</c>), and no others: for a third-party UI that injects its stylesheets at
    /// run time (the API reference). Scripts stay <c>'self'</c> only, style attributes stay blocked, and every other
    /// directive is the same as everywhere.
    /// </summary>
    public static string AllowStyleElements(HttpContext context, params string[] hashes)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        context.Items[StyleSourcesKey] = new StyleSources(nonce, hashes);
        return nonce;
    }

    /// <summary>The policy of a response: the baseline, or the baseline with extra style sources (see <see cref="AllowStyleElements"/>).</summary>
    internal static string PolicyFor(StyleSources? styles) => styles is null
        ? ContentSecurityPolicy
        : ContentSecurityPolicy.Replace("style-src 'self';",
            $"style-src 'self' 'nonce-{styles.Nonce}'{string.Concat(styles.Hashes.Select(h => $" '{h}'"))}; style-src-attr 'none';", StringComparison.Ordinal);

    internal sealed record StyleSources(string Nonce, IReadOnlyList<string> Hashes);

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = PolicyFor(context.Items[StyleSourcesKey] as StyleSources);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (!headers.ContainsKey("Cache-Control"))
            {
                // Authenticated pages must not linger in shared or back-button caches.
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
