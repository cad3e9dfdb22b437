using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Platform.Http;

/// <summary>
/// Makes every error answer without a body a page in the user's language (or, for the API, problem details). Sits
/// between the status-code pages and routing:
/// <list type="bullet">
/// <item>A re-executed request (status page or error page) is routed again as a GET: the pages are read-only, and
/// routed with the original method a PUT or DELETE found only the framework's empty 405 and a POST was handled as a
/// form post (reading a form whose antiforgery check failed: a crash).</item>
/// <item>A 4xx without a body whose content type was already set (a server-rendered page refusing a form post, for
/// instance) loses the type, so the status-code pages render it instead of leaving the browser a blank page.</item>
/// <item>A client that wants JSON (<c>/api/</c>, an <c>Accept</c> naming JSON) gets problem details for such an
/// answer, and for an exception, instead of an HTML page.</item>
/// </list>
/// </summary>
internal sealed class StatusPagesMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var reExecuted = context.Features.Get<IStatusCodeReExecuteFeature>() is not null;
        var exception = context.Features.Get<IExceptionHandlerFeature>();
        if (exception is not null && ProblemResponses.WantsProblemDetails(exception.Path, context.Request))
        {
            // The error page is HTML; the caller of the API gets the same non-leaky answer as JSON.
            await ProblemResponses.WriteAsync(context);
            return;
        }

        var method = context.Request.Method;
        if ((reExecuted || exception is not null) && !HttpMethods.IsGet(method))
        {
            context.Request.Method = HttpMethods.Get;
            context.SetEndpoint(null);
            context.Request.RouteValues.Clear();
        }

        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Method = method;
        }

        // A length set on purpose (a 416 with Content-Range and no body, say) is a complete answer, as for the status pages.
        if (reExecuted || exception is not null || context.Response.HasStarted || context.Response.ContentLength is not null
            || context.Response.StatusCode is < 400 or >= 600)
        {
            return;
        }

        if (context.Response.StatusCode == StatusCodes.Status400BadRequest
            && context.Features.Get<IAntiforgeryValidationFeature>()?.Error?.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // The antiforgery check could not read the form because the body outgrew the server's limit: say so.
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        }

        if (ProblemResponses.WantsProblemDetails(context.Request.Path, context.Request))
        {
            await ProblemResponses.WriteAsync(context);
        }
        else if (context.Response.StatusCode < 500)
        {
            // Nothing was written (the response has not started): let the status-code pages render the status.
            context.Response.ContentType = null;
        }
    }
}

/// <summary>RFC 9457 problem details for a status, titled in the caller's language, with nothing from the exception.</summary>
internal static class ProblemResponses
{
    /// <summary>The API, or a client that names JSON in <c>Accept</c> (as <see cref="FailureResults"/> decides).</summary>
    public static bool WantsProblemDetails(PathString path, HttpRequest request) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Headers.Accept.Any(a => a?.Contains("json", StringComparison.OrdinalIgnoreCase) == true);

    public static async Task WriteAsync(HttpContext context)
    {
        var status = context.Response.StatusCode is >= 400 and < 600 ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
        var strings = context.RequestServices.GetRequiredService<IStringLocalizer<Strings>>();
        // Outside the localization middleware's scope (on the way out, or before it on a re-execution): its verdict.
        var culture = CultureInfo.CurrentUICulture;
        if (context.Features.Get<IRequestCultureFeature>() is { } requested)
        {
            CultureInfo.CurrentUICulture = requested.RequestCulture.UICulture;
        }

        string title;
        try
        {
            title = strings[StatusTexts.For(status).TitleKey];
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }

        context.Response.ContentType = null;
        context.Response.ContentLength = null;
        await Results.Problem(statusCode: status, title: title).ExecuteAsync(context);
    }
}
