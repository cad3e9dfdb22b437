using Microsoft.AspNetCore.Components;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Base of every page under <c>/o/{org}</c> or <c>/o/{org}/s/{space}</c>: takes the route's slugs (the router hands them
/// to the page) and gives the page the <see cref="Tenant"/> they were resolved to. Pages read the tenant, never the slugs:
/// by the time a page renders, the tenant middleware has resolved them and decided that the caller may enter.
/// </summary>
public abstract class TenantPage : ComponentBase
{
    /// <summary>The organization's slug from the route; resolved into <see cref="Tenant"/>.</summary>
    [Parameter]
    public string Org { get; set; } = "";

    /// <summary>The Space's slug from the route, on Space pages; resolved into <see cref="Tenant"/>.</summary>
    [Parameter]
    public string? Space { get; set; }

    [Inject]
    protected Tenant Tenant { get; set; } = default!;
}
