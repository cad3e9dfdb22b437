using System.Security.Claims;

namespace Kastell.Server.Features.Accounts.Mfa;

/// <summary>
/// Mandatory MFA: a session that was not established with a second factor can reach nothing but enrolment,
/// sign-out, language switching and static files. Anything else redirects (UI) or answers 403 (API).
/// </summary>
internal sealed class MfaEnrolmentGate(RequestDelegate next)
{
    public const string EnrolPath = "/account/mfa/setup";

    private static readonly string[] AllowedPrefixes =
    [
        EnrolPath, "/account/sign-out", "/account/sign-in", "/account/confirm-email", "/culture", "/health", "/css/", "/favicon", "/error", "/not-found",
    ];

    public Task InvokeAsync(HttpContext context)
    {
        var user = context.User;
        // An API token is not a session: its creation needed a session with MFA and a re-authentication.
        if (user.Identity?.IsAuthenticated != true || HasSecondFactor(user) || IsAllowed(context.Request.Path)
            || user.Identity.AuthenticationType == Platform.Identity.Tokens.ApiTokenAuthenticationHandler.SchemeName)
        {
            return next(context);
        }

        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        context.Response.Redirect(EnrolPath);
        return Task.CompletedTask;
    }

    /// <summary>Identity marks a session completed with a second factor with <c>amr=mfa</c>.</summary>
    public static bool HasSecondFactor(ClaimsPrincipal user) =>
        user.FindAll("amr").Any(c => c.Value == "mfa");

    private static bool IsAllowed(PathString path) =>
        AllowedPrefixes.Any(p => path.StartsWithSegments(p.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
}
