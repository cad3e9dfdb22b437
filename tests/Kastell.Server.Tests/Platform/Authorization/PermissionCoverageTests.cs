using System.Reflection;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>
/// Fail closed by construction: every page and endpoint under a tenant route declares the permission it needs (or,
/// with a reason, that anyone may read it), and every declared permission exists in the model on that type.
/// A new endpoint is found here without editing this test.
/// </summary>
public sealed class PermissionCoverageTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public void EveryTenantPageAndEndpoint_DeclaresItsPermission()
    {
        var endpoints = TenantEndpoints().ToList();
        Assert.NotEmpty(endpoints); // the rule must see Kastell's pages and endpoints to mean anything
        Assert.Empty(Undeclared(endpoints));
    }

    [Fact]
    public void AnEndpointWithoutADeclaration_IsReported()
    {
        var planted = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/o/{org}/widgets"), 0, new EndpointMetadataCollection(), "planted");
        Assert.Equal(["/o/{org}/widgets"], Undeclared([planted]));
    }

    [Fact]
    public void EveryFormOfATenantPage_DeclaresWhatItsActionNeeds()
    {
        var forms = TenantEndpoints().SelectMany(FormsOf).ToList();
        Assert.NotEmpty(forms); // Kastell's tenant pages have forms: a rule that sees none means nothing
        Assert.Empty(UndeclaredForms(TenantEndpoints()));
    }

    [Fact]
    public void AFormWithoutADeclaration_IsReported()
    {
        var page = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/o/{org}/widgets"), 0,
            new EndpointMetadataCollection(new ComponentTypeMetadata(typeof(PlantedWidgetsPage)), new RequirePermissionAttribute("organization", "can_read")), "planted");
        Assert.Equal(["/o/{org}/widgets: form 'create-widget'"], UndeclaredForms([page]));
    }

    [Fact]
    public void EveryDeclaredPermission_ExistsInTheModel_AsAPermission()
    {
        var model = new KastellModel().Model;
        foreach (var endpoint in TenantEndpoints())
        {
            foreach (var required in endpoint.Metadata.GetOrderedMetadata<RequirePermissionAttribute>())
            {
                Assert.StartsWith("can_", required.Permission, StringComparison.Ordinal); // code asks for permissions, never for roles
                var type = Assert.Single(model.TypeDefinitions, t => t.Name == required.ObjectType);
                Assert.Contains(type.Relations, r => r.Name == required.Permission);
            }
        }
    }

    private IEnumerable<RouteEndpoint> TenantEndpoints() =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw
                        && (raw.StartsWith(TenantRoutes.OrganizationPrefix, StringComparison.OrdinalIgnoreCase)
                            || raw.StartsWith(TenantRoutes.ApiPrefix + TenantRoutes.OrganizationPrefix, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The forms a page binds (<c>[SupplyParameterFromForm(FormName = …)]</c>); a form's post is a write, and the page's read permission does not cover it.</summary>
    internal static IEnumerable<string> FormsOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type is not { } page ? []
            : page.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Select(p => p.GetCustomAttribute<SupplyParameterFromFormAttribute>()?.FormName)
                .OfType<string>();

    private static List<string> UndeclaredForms(IEnumerable<RouteEndpoint> endpoints) =>
        [.. from endpoint in endpoints
            from form in FormsOf(endpoint)
            where !endpoint.Metadata.GetOrderedMetadata<RequirePermissionAttribute>().Any(r => string.Equals(r.Form, form, StringComparison.Ordinal))
            select $"{endpoint.RoutePattern.RawText}: form '{form}'"];

    private static List<string> Undeclared(IEnumerable<RouteEndpoint> endpoints) =>
        [.. endpoints
            .Where(e => e.Metadata.GetMetadata<RequirePermissionAttribute>() is null && e.Metadata.GetMetadata<AnonymousTenantAccessAttribute>() is null)
            .Select(e => e.RoutePattern.RawText!)];
}

/// <summary>A page with a form and no declaration for it, for the rule's own test.</summary>
internal sealed class PlantedWidgetsPage : ComponentBase
{
    [SupplyParameterFromForm(FormName = "create-widget")]
    private object? Input { get; set; }
}
