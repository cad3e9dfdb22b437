using System.Reflection;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Support;

/// <summary>One routed endpoint of the application: a server-rendered page (with its forms) or another endpoint.</summary>
internal sealed record AppEndpoint(string Route, RoutePattern Pattern, IReadOnlyList<string> Methods, Type? Page)
{
    public bool IsPage => Page is not null;

    /// <summary>Accepts POST: every page (form posts), and endpoints mapped for POST or for any method.</summary>
    public bool AcceptsPost => IsPage || Methods.Count == 0 || Methods.Any(HttpMethods.IsPost);

    public bool AcceptsGet => IsPage || Methods.Count == 0 || Methods.Any(HttpMethods.IsGet);

    /// <summary>The forms a page binds with <c>[SupplyParameterFromForm(FormName = …)]</c>.</summary>
    public IReadOnlyList<string> FormNames => Page is null ? [] :
        [.. Page.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => p.GetCustomAttribute<SupplyParameterFromFormAttribute>()?.FormName)
            .OfType<string>()];

    /// <summary>A concrete path: each route parameter replaced by the value given for its name (case-insensitive).</summary>
    public string Path(IReadOnlyDictionary<string, string> values)
    {
        var path = new System.Text.StringBuilder();
        foreach (var segment in Pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => values.TryGetValue(parameter.Name, out var value) ? value
                        : throw new InvalidOperationException($"No value for route parameter '{parameter.Name}' of {Route}: add one to the test."),
                    _ => throw new InvalidOperationException($"Unknown route part in {Route}."),
                });
            }
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    /// <summary>Every routed endpoint, from the application's <see cref="EndpointDataSource"/> (nothing listed by hand).</summary>
    public static async Task<List<AppEndpoint>> DiscoverAsync(KastellHost host)
    {
        using var warmUp = host.CreateBrowser(); // builds the host and its endpoints
        await warmUp.GetAsync("/health/live");
        var found = new List<AppEndpoint>();
        foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var page = endpoint.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            found.Add(new AppEndpoint(endpoint.RoutePattern.RawText ?? "", endpoint.RoutePattern, [.. methods], page));
        }

        Assert.NotEmpty(found);
        return found;
    }
}
