using Microsoft.AspNetCore.Diagnostics;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// Every error of an API request is RFC 9457 problem details with a stable code and a title in the caller's
/// language (<c>Accept-Language</c>): a status set without a body (a refusal by the tenant or permission middleware,
/// the framework's 405 or 413) gets the problem its status stands for (<see cref="ApiErrors.ForStatus"/>), and an
/// exception becomes a 500 problem without details (logged with the trace id). The HTML status and error pages never
/// answer an API request.
/// </summary>
internal sealed partial class ApiErrorsMiddleware(RequestDelegate next, ILogger<ApiErrorsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!ApiRequests.IsApi(context.Request))
        {
            await next(context);
            return;
        }

        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals: a body over its limit, a malformed request line, a client that sent too slowly.
            await WriteAsync(context, ApiErrors.ForStatus(bad.StatusCode), null);
            return;
        }
        catch (Exception exception) when (!context.Response.HasStarted && exception is not OperationCanceledException)
        {
            LogFailure(logger, exception, context.TraceIdentifier);
            await WriteAsync(context, ApiErrors.InternalError, null);
            return;
        }

        if (context.Response is { HasStarted: false, StatusCode: >= 400 and < 600, ContentLength: null } response && string.IsNullOrEmpty(response.ContentType))
        {
            await WriteAsync(context, ApiErrors.ForStatus(response.StatusCode), null);
        }
    }

    internal static async Task WriteAsync(HttpContext context, Failure failure, string? detail)
    {
        // Headers another component set for the refusal stay (WWW-Authenticate, Retry-After, Allow).
        context.Response.StatusCode = failure.Status;
        await failure.ToProblem(context, detail).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = 9201, Level = LogLevel.Error, Message = "An API request failed (trace {TraceId}).")]
    private static partial void LogFailure(ILogger logger, Exception exception, string traceId);
}
