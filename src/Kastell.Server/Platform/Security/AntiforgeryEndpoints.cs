using Microsoft.AspNetCore.Antiforgery;

namespace Kastell.Server.Platform.Security;

internal static class AntiforgeryEndpoints
{
    /// <summary>
    /// Refuses a post without a valid antiforgery token. The antiforgery middleware only records its verdict (a
    /// feature); form binding enforces it, so an endpoint that binds no form (sign-out, passkey options, revoking an
    /// invitation) would otherwise accept a forged post. Every minimal-API post declares antiforgery through this.
    /// </summary>
    public static RouteHandlerBuilder RequireValidAntiforgeryToken(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new RequireAntiforgeryTokenAttribute())
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }
                    ? await next(context)
                    // The bare status: the status pages render it in the user's language (problem details for the API).
                    : Results.StatusCode(StatusCodes.Status400BadRequest));
}
