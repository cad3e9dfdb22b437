namespace Kastell.Server.Platform.Security;

/// <summary>
/// Every page sets Secure cookies, so plain HTTP can never work; answer it with a clear message instead of a
/// broken form. Health probes stay reachable over HTTP for load balancers. Behind a TLS-terminating proxy,
/// forwarded headers (X-Forwarded-Proto from a trusted proxy) make the request count as HTTPS.
/// </summary>
internal sealed class RequireHttpsMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/health"))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(
            "Kastell only serves HTTPS. Open the https:// address, or terminate TLS at a reverse proxy that sends X-Forwarded-Proto.\n" +
            "Kastell nimmt nur HTTPS-Anfragen an. Öffnen Sie die https://-Adresse oder terminieren Sie TLS an einem Reverse Proxy, der X-Forwarded-Proto sendet.\n");
    }
}
