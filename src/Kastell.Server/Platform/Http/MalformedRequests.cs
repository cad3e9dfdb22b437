using Microsoft.AspNetCore.Antiforgery;

namespace Kastell.Server.Platform.Http;

/// <summary>
/// Exceptions that mean the request was malformed, not that Kastell failed: they surface while the framework reads
/// the request (form and multipart limits, Kestrel's body limit, an antiforgery token that does not validate). The
/// exception handler answers them with their 4xx status, which the error page renders as such.
/// </summary>
internal static class MalformedRequests
{
    public static int StatusCodeOf(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        AntiforgeryValidationException => StatusCodes.Status400BadRequest,
        // Form readers: "Form value count limit 200 exceeded", "Multipart body length limit … exceeded", a broken boundary.
        // Only from the framework's request readers: the same exception from Kastell's own code is Kastell's failure.
        InvalidDataException { Source: "Microsoft.AspNetCore.WebUtilities" or "Microsoft.AspNetCore.Http" } => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };
}
