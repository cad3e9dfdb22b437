using Microsoft.Extensions.Localization;

namespace Kastell.Server.Platform.Http;

/// <summary>
/// The one mapping from a command's <see cref="Failure"/> to HTTP. A client that asks for JSON (the API, under
/// <c>/api/</c>, or an <c>Accept</c> naming JSON) gets RFC 9457 problem details with the stable <c>code</c> and the
/// localized title; a browser's form post gets the bare status, which the status-code pages render as a page in the
/// user's language — never a raw error document.
/// </summary>
public static class FailureResults
{
    /// <summary>Where the codes are explained; the problem's <c>type</c> points into it.</summary>
    public const string TypeBase = "https://kastell.dev/errors/";

    public static IResult ToHttpResult(this Failure failure, HttpContext context)
    {
        if (!ProblemResponses.WantsProblemDetails(context.Request.Path, context.Request))
        {
            return TypedResults.StatusCode(failure.Status);
        }

        var strings = context.RequestServices.GetRequiredService<IStringLocalizer<Strings>>();
        return TypedResults.Problem(
            title: strings[failure.TextKey],
            statusCode: failure.Status,
            type: TypeBase + failure.Code,
            extensions: new Dictionary<string, object?> { ["code"] = failure.Code });
    }

    /// <summary>Maps a result: done becomes <paramref name="done"/>, a failure its problem or status.</summary>
    public static IResult ToHttpResult(this Result result, HttpContext context, Func<IResult> done) =>
        result.Failure is { } failure ? failure.ToHttpResult(context) : done();
}
