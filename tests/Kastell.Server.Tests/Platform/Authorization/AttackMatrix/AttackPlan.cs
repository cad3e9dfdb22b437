using System.Reflection;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>One permission an attack must pass, on a real object of the victim (the tenant's entry or a declaration).</summary>
internal sealed record Gate(string ObjectType, Guid ObjectId, string Permission, bool Hidden, bool IsEntry);

/// <summary>One request of the matrix: an endpoint with the victim's values, a method and, for a page's post, one form.</summary>
internal sealed record AttackRequest(
    string Method,
    string Route,
    string Path,
    string Query,
    string? Form,
    IReadOnlyList<KeyValuePair<string, string>> Fields,
    bool IsTenant,
    bool IsPage,
    bool RequiresSignIn,
    bool AnonymousTenantAccess,
    IReadOnlyList<Gate> Gates)
{
    /// <summary>Everything but GET and HEAD: it would change something if it got through.</summary>
    public bool IsWrite => !HttpMethods.IsGet(Method) && !HttpMethods.IsHead(Method);

    /// <summary>A post to a page that binds no form: Blazor refuses it (400) once authorization let it through.</summary>
    public bool IsFormlessPagePost => IsPage && IsWrite && Form is null;

    public override string ToString() => $"{Method} {Route}{(Form is null ? "" : $" (form '{Form}')")}";
}

/// <summary>
/// Turns the endpoint data source into the matrix's requests, each filled with the victim's real objects, and says
/// why an endpoint cannot be classified: a route parameter no <see cref="RouteValueFiller"/> answers, a write under a
/// tenant route that declares nothing beyond reading, a tenant route with no declaration at all.
/// </summary>
internal static class AttackPlan
{
    /// <summary>The values the plan fills in: each filler's value, the victim's organization and Spaces, and what any other field gets.</summary>
    internal sealed record Values(
        IReadOnlyList<RouteValueFiller> Fillers,
        IReadOnlyDictionary<RouteValueFiller, string> ByFiller,
        Guid OrganizationId,
        IReadOnlyDictionary<string, Guid> SpaceIdsBySlug,
        string AnyOtherField);

    public static (List<AttackRequest> Requests, List<string> Unclassified) Build(IEnumerable<RouteEndpoint> endpoints, Values values)
    {
        var requests = new List<AttackRequest>();
        var unclassified = new List<string>();
        foreach (var endpoint in endpoints.DistinctBy(e => (e.RoutePattern.RawText, MethodsKey(e))))
        {
            try
            {
                requests.AddRange(RequestsFor(endpoint, values, unclassified));
            }
            catch (InvalidOperationException error)
            {
                unclassified.Add(error.Message);
            }
        }

        return (requests, unclassified);
    }

    private static IEnumerable<AttackRequest> RequestsFor(RouteEndpoint endpoint, Values values, List<string> unclassified)
    {
        var route = endpoint.RoutePattern.RawText ?? "";
        var filled = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in endpoint.RoutePattern.Parameters)
        {
            filled[parameter.Name] = values.ByFiller[RouteValueFillers.Resolve(values.Fillers, endpoint, parameter)];
        }

        var path = PathOf(endpoint.RoutePattern, filled);
        var page = endpoint.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type;
        var declared = endpoint.Metadata.GetOrderedMetadata<RequirePermissionAttribute>();
        var isTenant = endpoint.RoutePattern.Parameters.Any(p => p.Name == TenantRoutes.Organization);
        var anonymousTenant = endpoint.Metadata.GetMetadata<AnonymousTenantAccessAttribute>() is not null;
        var requiresSignIn = isTenant && !anonymousTenant
            || endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any() && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
        if (isTenant && declared.Count == 0 && !anonymousTenant)
        {
            unclassified.Add($"{route}: a tenant endpoint that declares no permission (and is not marked [AnonymousTenantAccess]).");
            yield break;
        }

        var methods = page is not null ? [HttpMethods.Get, HttpMethods.Post]
            : endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } mapped ? mapped
            : [HttpMethods.Get, HttpMethods.Post];
        foreach (var method in methods.Where(m => !HttpMethods.IsHead(m) && !HttpMethods.IsOptions(m)))
        {
            var forms = page is not null && !HttpMethods.IsGet(method) ? PermissionCoverageTests.FormsOf(endpoint).ToList() : [];
            IEnumerable<string?> posted = forms.Count == 0 ? new string?[] { null } : forms;
            foreach (var form in posted)
            {
                var gates = isTenant ? GatesOf(endpoint, declared, form, filled, values) : [];
                var request = new AttackRequest(method, route, path, HttpMethods.IsGet(method) ? QueryOf(endpoint, page, values) : "", form,
                    HttpMethods.IsGet(method) ? [] : FieldsOf(page, form, values), isTenant, page is not null, requiresSignIn, anonymousTenant, gates);
                if (isTenant && request.IsWrite && !request.IsFormlessPagePost
                    && !request.Gates.Any(g => !g.IsEntry && g.Permission != "can_read"))
                {
                    unclassified.Add($"{request}: a write under a tenant route that declares no permission beyond reading (declare the one its action needs{(form is null ? "" : " with Form = \"" + form + "\"")}).");
                    continue;
                }

                yield return request;
            }
        }
    }

    /// <summary>Entering the tenant (<c>can_read</c> on the organization, then the Space), then each declaration that applies, in order.</summary>
    private static List<Gate> GatesOf(RouteEndpoint endpoint, IReadOnlyList<RequirePermissionAttribute> declared, string? form, Dictionary<string, string> filled, Values values)
    {
        var gates = new List<Gate>();
        Guid? space = filled.TryGetValue(TenantRoutes.Space, out var slug)
            ? values.SpaceIdsBySlug.TryGetValue(slug, out var id) ? id : throw new InvalidOperationException($"{endpoint.RoutePattern.RawText}: the Space '{slug}' is not one of the victim's.")
            : null;
        if (endpoint.Metadata.GetMetadata<AnonymousTenantAccessAttribute>() is null)
        {
            gates.Add(new Gate("organization", values.OrganizationId, "can_read", Hidden: false, IsEntry: true));
            if (space is { } entered)
            {
                gates.Add(new Gate("space", entered, "can_read", Hidden: false, IsEntry: true));
            }
        }

        foreach (var required in declared.Where(r => r.Form is null || string.Equals(r.Form, form, StringComparison.OrdinalIgnoreCase)))
        {
            var objectId = required.ObjectType switch
            {
                "organization" => values.OrganizationId,
                "space" => space ?? throw new InvalidOperationException($"{endpoint.RoutePattern.RawText}: declares a permission on the Space but has no {{space}}."),
                _ => filled.TryGetValue(required.RouteValue, out var value) && Guid.TryParse(value, out var parsed) ? parsed
                    : throw new InvalidOperationException($"{endpoint.RoutePattern.RawText}: declares {required.Permission} on a {required.ObjectType} from route value '{required.RouteValue}', which holds no id."),
            };
            gates.Add(new Gate(required.ObjectType, objectId, required.Permission, required.Hidden, IsEntry: false));
        }

        return gates;
    }

    /// <summary>The query a GET carries: every query value the page or handler reads, set to a victim's value.</summary>
    private static string QueryOf(RouteEndpoint endpoint, Type? page, Values values)
    {
        IEnumerable<string> names = page is not null ? RouteValueFillers.QueryParametersOf(page)
            : endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters()
                .Where(p => IsSimple(p.ParameterType) && !endpoint.RoutePattern.Parameters.Any(r => string.Equals(r.Name, p.Name, StringComparison.OrdinalIgnoreCase)))
                .Select(p => p.Name!) ?? [];
        var pairs = names.Distinct(StringComparer.OrdinalIgnoreCase).Select(n => $"{Uri.EscapeDataString(n)}={Uri.EscapeDataString(ValueFor(n, values))}").ToList();
        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    /// <summary>The fields of a page's form (<c>Input.Email</c>, …), each set to a victim's value.</summary>
    private static List<KeyValuePair<string, string>> FieldsOf(Type? page, string? form, Values values)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var bound = page?.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .FirstOrDefault(p => p.GetCustomAttribute<SupplyParameterFromFormAttribute>()?.FormName == form && form is not null);
        if (bound is not null)
        {
            var prefix = bound.GetCustomAttribute<SupplyParameterFromFormAttribute>()!.Name ?? bound.Name;
            foreach (var property in bound.PropertyType.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.CanWrite))
            {
                fields.Add(new($"{prefix}.{property.Name}", ValueFor(property.Name, values)));
            }
        }

        fields.Add(new("id", values.AnyOtherField));
        return fields;
    }

    private static string ValueFor(string name, Values values) =>
        RouteValueFillers.ForField(values.Fillers, name) is { } filler ? values.ByFiller[filler] : values.AnyOtherField;

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type == typeof(string) || type == typeof(Guid) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type.IsEnum;
    }

    private static string PathOf(RoutePattern pattern, Dictionary<string, string> values)
    {
        var path = new System.Text.StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => Uri.EscapeDataString(values[parameter.Name]),
                    _ => throw new InvalidOperationException($"Unknown route part in {pattern.RawText}."),
                });
            }
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    private static string MethodsKey(RouteEndpoint endpoint) =>
        string.Join(',', endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []);
}
