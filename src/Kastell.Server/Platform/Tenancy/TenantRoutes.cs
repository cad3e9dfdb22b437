namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// The route values that name a tenant. Every page and endpoint under <c>/o/{org}</c> and <c>/o/{org}/s/{space}</c>
/// (pages declare the same template, endpoints are mapped on the route groups) carries them, and
/// <see cref="TenantResolutionMiddleware"/> reads them from the matched endpoint — not from the raw path.
/// </summary>
public static class TenantRoutes
{
    public const string Organization = "org";
    public const string Space = "space";

    /// <summary>The HTTP API's base path; its tenant groups repeat the page paths below it.</summary>
    public const string ApiPrefix = "/api/v1";

    public const string OrganizationPrefix = "/o/{" + Organization + "}";
    public const string SpacePrefix = OrganizationPrefix + "/s/{" + Space + "}";

    /// <summary>The page path of a Space's feature, e.g. <c>/o/acme/s/hq/files</c>, with both slugs escaped.</summary>
    public static string SpacePath(Organization organization, Space space, string rest = "") =>
        $"/o/{Uri.EscapeDataString(organization.Slug)}/s/{Uri.EscapeDataString(space.Slug)}{rest}";

    /// <summary>The page path of an organization's feature, e.g. <c>/o/acme/members</c>.</summary>
    public static string OrganizationPath(Organization organization, string rest = "") =>
        $"/o/{Uri.EscapeDataString(organization.Slug)}{rest}";
}

/// <summary>
/// Marks a page or endpoint under a tenant route that anyone may read without being a member (none yet; the trust
/// center will be the first). The tenant is still resolved; only the membership check is skipped.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class AnonymousTenantAccessAttribute(string reason) : Attribute
{
    /// <summary>Why anyone may read it; required so the decision is written down where it is taken.</summary>
    public string Reason { get; } = reason;
}
