using Microsoft.AspNetCore.Http.HttpResults;
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

    public static IResult ToHttpResult(this Failure failure, HttpContext context) => failure.ToHttpResult(context, detail: null);

    /// <param name="detail">What exactly was wrong with this request (for the API's bad-input answers); never secrets.</param>
    public static IResult ToHttpResult(this Failure failure, HttpContext context, string? detail)
    {
        if (!ProblemResponses.WantsProblemDetails(context.Request.Path, context.Request))
        {
            // The status page the browser is shown says why (in the user's language), not just "not found".
            context.Items[typeof(Failure)] = failure;
            return TypedResults.StatusCode(failure.Status);
        }

        return failure.ToProblem(context, detail);
    }

    /// <summary>The failure as RFC 9457 problem details, whoever asks.</summary>
    public static ProblemHttpResult ToProblem(this Failure failure, HttpContext context, string? detail = null)
    {
        var strings = context.RequestServices.GetRequiredService<IStringLocalizer<Strings>>();
        return TypedResults.Problem(
            title: strings[failure.TextKey],
            detail: detail,
            statusCode: failure.Status,
            type: TypeBase + failure.Code,
            extensions: new Dictionary<string, object?> { ["code"] = failure.Code });
    }

    /// <summary>The failure a form post was refused with, for the status page re-executed after it; null for any other status.</summary>
    public static Failure? RefusedWith(HttpContext? context) =>
        context?.Items.TryGetValue(typeof(Failure), out var failure) == true ? failure as Failure : null;

    /// <summary>Maps a result: done becomes <paramref name="done"/>, a failure its problem or status.</summary>
    public static IResult ToHttpResult(this Result result, HttpContext context, Func<IResult> done) =>
        result.Failure is { } failure ? failure.ToHttpResult(context) : done();

    /// <summary>Maps a result with a value: the value through <paramref name="done"/>, a failure its problem or status.</summary>
    public static IResult ToHttpResult<T>(this Result<T> result, HttpContext context, Func<T, IResult> done) =>
        result.Failure is { } failure ? failure.ToHttpResult(context) : done(result.Value!);
}
