using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// Enforces the <see cref="RequirePermissionAttribute"/>s of the matched endpoint, after the tenant is resolved and
/// entered. A refusal is audited with the engine's explanation (by <see cref="Permissions.RequireAsync"/>) and answers
/// 404 when the caller may not even read the object (or the endpoint is <see cref="RequirePermissionAttribute.Hidden"/>),
/// 403 when they may read it but not do this — so a foreign or unknown id looks exactly like a missing one.
/// </summary>
internal sealed class PermissionMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var requirements = context.GetEndpoint()?.Metadata.GetOrderedMetadata<RequirePermissionAttribute>() ?? [];
        if (requirements.Count == 0)
        {
            await next(context);
            return;
        }

        // Only endpoints that declare a permission build the engine (and its data context).
        var (tenant, permissions) = (context.RequestServices.GetRequiredService<Tenant>(), context.RequestServices.GetRequiredService<Permissions>());
        foreach (var required in requirements)
        {
            // A post whose antiforgery check failed is refused anyway (400): its allow is not worth recording.
            var auditAllow = required.AuditAllow && context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is not { IsValid: false };
            if (ObjectId(context, tenant, required) is not { } id
                || !await permissions.RequireAsync(required.ObjectType, id, required.Permission, auditAllow, context.RequestAborted))
            {
                var readable = !required.Hidden && ObjectId(context, tenant, required) is { } known
                    && await permissions.HasAsync(required.ObjectType, known, "can_read", context.RequestAborted);
                context.Response.StatusCode = readable ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
                return;
            }
        }

        await next(context);
    }

    private static Guid? ObjectId(HttpContext context, Tenant tenant, RequirePermissionAttribute required) => required.ObjectType switch
    {
        "organization" => tenant.OrganizationId,
        "space" => tenant.SpaceId,
        _ => Guid.TryParse(context.Request.RouteValues[required.RouteValue] as string, out var id) ? id : null,
    };
}
