using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// The safety net behind the explicit denials in commands: a signed-in user's state-changing request that an
/// endpoint refused — 403, 404 on a matched endpoint (a foreign id looks like a missing one), a failed antiforgery
/// check, or a server-rendered page's form the page did not offer to this user (a member forging an admin's form
/// post) — is recorded as an authorization denial unless the handler already recorded one. Reads and
/// anonymous requests are not recorded here: the first change nothing, the second are authentication, not
/// authorization, and would let anyone fill the log.
/// </summary>
internal sealed class RefusalAuditMiddleware(RequestDelegate next)
{
    private const int MaxFormNameLength = 64;

    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        // The re-executed status-code page (/not-found) is not the endpoint that refused: the first pass recorded it.
        // Reads are not recorded here, and resolve nothing.
        if (!IsStateChanging(context.Request.Method)
            || context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null
            || context.GetEndpoint() is not { } endpoint
            || context.Items.ContainsKey(AuditLog.DenialRecordedItem)
            || context.RequestServices.GetRequiredService<Identity.CurrentActor>() is not { Subject: not null } actor
            || Reason(context, endpoint) is not { } reason)
        {
            return;
        }

        var details = new Dictionary<string, string>
        {
            ["permission"] = "request",
            ["reason"] = reason,
            ["method"] = context.Request.Method,
            ["status"] = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (await FormNameAsync(context) is { } form)
        {
            details["form"] = form;
        }

        await context.RequestServices.GetRequiredService<IAuditLog>().RecordNowAsync(new(AuthorizationEvents.AuthorizationDenied, actor.Actor,
            new("endpoint", (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? endpoint.DisplayName), AuditOutcome.Denied, details), CancellationToken.None);
    }

    internal static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static string? Reason(HttpContext context, Endpoint endpoint) =>
        context.Response.StatusCode switch
        {
            StatusCodes.Status403Forbidden => "forbidden",
            StatusCodes.Status404NotFound => "not-found",
            _ when context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } => "antiforgery",
            // A page answers 400 to a post only when no form of that name was rendered for this user.
            StatusCodes.Status400BadRequest when endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null => "form-not-offered",
            _ => null,
        };

    private static async Task<string?> FormNameAsync(HttpContext context)
    {
        // ASP.NET Core refuses to read a form whose antiforgery check failed (it throws): a forged post has no name to give.
        // (even asking HasFormContentType throws then, so the feature is checked first).
        // A multipart body is an upload: reading it as a form would buffer the file (to a plaintext temporary file).
        if (context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false }
            || !context.Request.HasFormContentType
            || context.Request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
        {
            return null;
        }

        try
        {
            var form = await context.Request.ReadFormAsync(CancellationToken.None);
            var name = form["_handler"].ToString();
            return name.Length == 0 ? null : name.Length <= MaxFormNameLength ? name : name[..MaxFormNameLength];
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return null; // a malformed body is not worth failing the response for
        }
    }
}
