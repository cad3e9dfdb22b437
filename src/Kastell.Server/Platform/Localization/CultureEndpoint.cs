using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Localization;

/// <summary><c>POST /culture</c>: the language switch in the footer; remembered in a cookie and, when signed in, in the profile.</summary>
internal static class CultureEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/culture", async (HttpContext context, [FromForm] string culture, [FromForm] string? returnUrl, CurrentActor actor, KastellDbContext db) =>
        {
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
        }).WithName("SwitchCulture");
}
