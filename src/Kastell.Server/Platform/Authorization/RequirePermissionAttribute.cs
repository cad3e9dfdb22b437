namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// The permission of the authorization model a caller needs on an object to use a page or endpoint under a tenant
/// route — the one way access is declared (a test fails for a tenant page or endpoint without it). The object is the
/// request's organization (<c>organization</c>), its Space (<c>space</c>), or the object whose id is in the route value
/// <see cref="RouteValue"/>. <see cref="PermissionMiddleware"/> checks it before the endpoint runs.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequirePermissionAttribute(string objectType, string permission) : Attribute
{
    public string ObjectType { get; } = objectType;

    public string Permission { get; } = permission;

    /// <summary>The route value with the object's id, for objects other than the tenant's organization and Space.</summary>
    public string RouteValue { get; init; } = "id";

    /// <summary>
    /// Refuse with the same 404 as for something that does not exist even where the caller may read the object: for
    /// pages whose very existence should tell a member nothing (the audit trail).
    /// </summary>
    public bool Hidden { get; init; }

    /// <summary>Record an allow too: sensitive permissions (reading and exporting audit data, managing members, keys, deleting).</summary>
    public bool AuditAllow { get; init; }

    /// <summary>
    /// On a page: the permission applies only to posts of this form (its <c>FormName</c>), on top of the page's own. The
    /// page's permission lets the caller see the page; each form names what its action needs, so a refused post is the
    /// same 403 or 404 as any other refusal, before the page runs (its command still checks for itself).
    /// </summary>
    public string? Form { get; init; }
}

/// <summary>Declares permissions on minimal-API endpoints and groups.</summary>
public static class PermissionEndpointExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string objectType, string permission, string routeValue = "id", bool hidden = false, bool auditAllow = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequirePermissionAttribute(objectType, permission) { RouteValue = routeValue, Hidden = hidden, AuditAllow = auditAllow });
}
