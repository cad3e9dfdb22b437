namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// The API's own failures (codes in docs/error-codes.md). Every error of an <c>/api/v1</c> request is answered as
/// problem details with one of these or a feature's code; a status the endpoint set without a body gets the code
/// <see cref="ForStatus"/> names.
/// </summary>
public static class ApiErrors
{
    public static readonly Failure Unauthenticated = new("api.unauthenticated", StatusCodes.Status401Unauthorized, "ApiUnauthenticated");

    public static readonly Failure TokenInQuery = new("api.token-in-query", StatusCodes.Status400BadRequest, "ApiTokenInQuery");

    public static readonly Failure InvalidRequest = new("api.invalid-request", StatusCodes.Status400BadRequest, "ApiInvalidRequest");

    public static readonly Failure InvalidCursor = new("api.invalid-cursor", StatusCodes.Status400BadRequest, "ApiInvalidCursor");

    public static readonly Failure InvalidLimit = new("api.invalid-limit", StatusCodes.Status400BadRequest, "ApiInvalidLimit");

    public static readonly Failure UnsupportedMediaType = new("api.unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "ApiUnsupportedMediaType");

    public static readonly Failure PayloadTooLarge = new("api.payload-too-large", StatusCodes.Status413PayloadTooLarge, "ApiPayloadTooLarge");

    public static readonly Failure PreconditionFailed = new("api.precondition-failed", StatusCodes.Status412PreconditionFailed, "ApiPreconditionFailed");

    public static readonly Failure PreconditionRequired = new("api.precondition-required", StatusCodes.Status428PreconditionRequired, "ApiPreconditionRequired");

    public static readonly Failure IdempotencyKeyInvalid = new("api.idempotency-key-invalid", StatusCodes.Status400BadRequest, "ApiIdempotencyKeyInvalid");

    public static readonly Failure IdempotencyKeyReused = new("api.idempotency-key-reused", StatusCodes.Status422UnprocessableEntity, "ApiIdempotencyKeyReused");

    public static readonly Failure IdempotencyKeyInUse = new("api.idempotency-key-in-use", StatusCodes.Status409Conflict, "ApiIdempotencyKeyInUse");

    public static readonly Failure RateLimited = new("api.rate-limited", StatusCodes.Status429TooManyRequests, "ApiRateLimited");

    public static readonly Failure MethodNotAllowed = new("api.method-not-allowed", StatusCodes.Status405MethodNotAllowed, "ApiMethodNotAllowed");

    public static readonly Failure InternalError = new("api.internal-error", StatusCodes.Status500InternalServerError, "ApiInternalError");

    /// <summary>The failure a bare status stands for, when an endpoint or middleware answered with a status and no body.</summary>
    public static Failure ForStatus(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => Failures.NotAllowed,
        StatusCodes.Status404NotFound => Failures.NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status412PreconditionFailed => PreconditionFailed,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        >= 500 => InternalError,
        _ => InvalidRequest,
    };
}
