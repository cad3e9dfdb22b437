using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Localization;

/// <summary><c>POST /culture</c>: the language switch in the footer; remembered in a cookie and, when signed in, in the profile.</summary>
internal static class CultureEndpoint
{
    /// <remarks>
    /// The form is read by hand, after the antiforgery check: form-bound parameters would read it even when the check
    /// failed, which throws (a 500, and the error page threw again) instead of answering 400.
    /// </remarks>
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/culture", async (HttpContext context, CurrentActor actor, KastellDbContext db) =>
        {
            if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } || !context.Request.HasFormContentType)
            {
                return Results.BadRequest();
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var culture = form["culture"].ToString();
            var returnUrl = form["returnUrl"].ToString();
            if (!LocalizationSetup.IsSupported(culture))
            {
                return Results.BadRequest();
            }

            LocalizationSetup.WriteCookie(context.Response, culture);
            if (actor.UserId is { } userId)
            {
                await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.PreferredCulture, culture));
            }

            return Results.LocalRedirect(LocalUrls.OrDefault(returnUrl));
        }).WithName("SwitchCulture").WithMetadata(new RequireAntiforgeryTokenAttribute());
}
