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

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
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
