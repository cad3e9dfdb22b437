namespace Kastell.Server.Platform.Http;

/// <summary>
/// The string keys that explain an HTTP error status to a person: the status page renders them, and a client that
/// asked for JSON gets the same title in its problem details.
/// </summary>
public static class StatusTexts
{
    public static (string TitleKey, string TextKey) For(int status) => status switch
    {
        StatusCodes.Status403Forbidden => ("StatusForbiddenTitle", "StatusForbiddenText"),
        StatusCodes.Status404NotFound => ("NotFoundTitle", "NotFoundText"),
        StatusCodes.Status405MethodNotAllowed => ("StatusMethodNotAllowedTitle", "StatusMethodNotAllowedText"),
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status414UriTooLong or StatusCodes.Status431RequestHeaderFieldsTooLarge
            => ("StatusTooLargeTitle", "StatusTooLargeText"),
        StatusCodes.Status429TooManyRequests => ("StatusTooManyRequestsTitle", "StatusTooManyRequestsText"),
        >= 400 and < 500 => ("StatusBadRequestTitle", "StatusBadRequestText"),
        _ => ("ErrorTitle", "ErrorText"),
    };
}
