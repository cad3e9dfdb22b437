using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// Enforces the <see cref="RequirePermissionAttribute"/>s of the matched endpoint, after the tenant is resolved and
/// entered. A refusal is audited with the engine's explanation (by <see cref="Permissions.CheckAsync"/>) and answers
/// 404 when the caller may not even read the object (or the endpoint is <see cref="RequirePermissionAttribute.Hidden"/>),
/// 403 when they may read it but not do this — so a foreign or unknown id looks exactly like a missing one. A page's
/// permissions for one of its forms (<see cref="RequirePermissionAttribute.Form"/>) are checked on posts of that form.
/// </summary>
internal sealed class PermissionMiddleware(RequestDelegate next)
{
    /// <summary>The form field in which a server-rendered page's post names its form.</summary>
    internal const string FormHandlerField = "_handler";

    public async Task InvokeAsync(HttpContext context)
    {
        var declared = context.GetEndpoint()?.Metadata.GetOrderedMetadata<RequirePermissionAttribute>() ?? [];
        if (declared.Count == 0)
        {
            await next(context);
            return;
        }

        // Only endpoints that declare a permission build the engine (and its data context).
        var (tenant, permissions) = (context.RequestServices.GetRequiredService<Tenant>(), context.RequestServices.GetRequiredService<Permissions>());
        var forms = await PostedFormsAsync(context, declared);
        // Allows of sensitive permissions are recorded once every declaration holds: a request refused by its form's
        // permission was not allowed to read the page either, whatever the page's own permission said.
        var allowsToRecord = new List<(RequirePermissionAttribute Required, Guid Id, Decision Decision)>();
        foreach (var required in declared)
        {
            if (required.Form is { } form && !forms.Contains(form, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var id = ObjectId(context, tenant, required);
            var decision = id is { } known ? await permissions.CheckAsync(required.ObjectType, known, required.Permission, context.RequestAborted) : default;
            if (!decision.Allowed)
            {
                var readable = !required.Hidden && id is { } named
                    && await permissions.HasAsync(required.ObjectType, named, "can_read", context.RequestAborted);
                context.Response.StatusCode = readable ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
                return;
            }

            // A post whose antiforgery check failed is refused anyway (400): its allow is not worth recording.
            if (required.AuditAllow && context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is not { IsValid: false })
            {
                allowsToRecord.Add((required, id!.Value, decision));
            }
        }

        foreach (var (required, id, decision) in allowsToRecord)
        {
            await permissions.RecordAllowAsync(required.ObjectType, id, required.Permission, decision, context.RequestAborted);
        }

        await next(context);
    }

    /// <summary>
    /// The form names a post carries, read only where a permission is declared for a form (the antiforgery check has
    /// read the form of every page post already). Every value counts, so a post cannot name a second form to slip past.
    /// A form that may not be read (its antiforgery token failed) counts as posting every form: each form's permission
    /// is then required (failing closed; the post is refused with 400 anyway if they all hold).
    /// </summary>
    private static async Task<string[]> PostedFormsAsync(HttpContext context, IReadOnlyList<RequirePermissionAttribute> declared)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !declared.Any(r => r.Form is not null))
        {
            return [];
        }

        if (context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            return [.. declared.Select(r => r.Form).OfType<string>()];
        }

        if (!context.Request.HasFormContentType)
        {
            return [];
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        return [.. form[FormHandlerField].OfType<string>()];
    }

    private static Guid? ObjectId(HttpContext context, Tenant tenant, RequirePermissionAttribute required) => required.ObjectType switch
    {
        "organization" => tenant.OrganizationId,
        "space" => tenant.SpaceId,
        _ => Guid.TryParse(context.Request.RouteValues[required.RouteValue] as string, out var id) ? id : null,
    };
}
