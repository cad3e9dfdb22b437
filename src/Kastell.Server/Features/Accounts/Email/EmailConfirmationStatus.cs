using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Email;

/// <summary>
/// Looks up, once per page request, whether the signed-in user's address is still unconfirmed, so the layout can show
/// its reminder without awaiting anything while it renders. Static rendering of a re-executed status-code page (404)
/// does not wait for a layout component's pending work: an awaited query there made the reminder appear on one 404
/// and not on another, which is exactly the kind of difference a foreign and a missing object must not show.
/// </summary>
internal sealed class EmailConfirmationStatus(RequestDelegate next)
{
    private const string ItemKey = "Kastell.EmailUnconfirmed";

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsPageRequest(context) && context.RequestServices.GetRequiredService<CurrentActor>().UserId is { } id)
        {
            context.Items[ItemKey] = await context.RequestServices.GetRequiredService<KastellDbContext>().Users.AsNoTracking()
                .AnyAsync(u => u.Id == id && !u.EmailConfirmed, context.RequestAborted);
        }

        await next(context);
    }

    public static bool IsUnconfirmed(HttpContext? context) => context?.Items[ItemKey] is true;

    // Pages only: API calls and static files (anything with an extension) render no layout.
    private static bool IsPageRequest(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
        && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsPost(context.Request.Method))
        && !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !Path.HasExtension(context.Request.Path.Value);
}
