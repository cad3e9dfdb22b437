namespace Kastell.Authorization.Engine;

/// <summary>A request the engine refuses or cannot answer; <see cref="Code"/> is OpenFGA's numeric error code.</summary>
public sealed class AuthorizationException(AuthorizationErrorCode code, string message) : Exception(message)
{
    public AuthorizationErrorCode Code { get; } = code;

    internal static AuthorizationException ResolutionTooComplex() => new(
        AuthorizationErrorCode.AuthorizationModelResolutionTooComplex,
        "Authorization Model resolution required too many rewrite rules to be resolved. Check your authorization model for infinite recursion or too much nesting");
}
