using System.Reflection;
using Kastell.Server.Platform.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>
/// Fills one kind of route value with a real object of the victim tenant, for the attack matrix. Subclasses are found
/// by reflection anywhere in this test assembly: a feature whose routes name a new parameter adds one beside its own
/// tests (no edit of the matrix); a parameter no filler answers fails the matrix, naming the keys it looked for.
/// Values also go into query strings and form fields of the same name.
/// </summary>
public abstract class RouteValueFiller
{
    /// <summary>
    /// The keys it answers, compared without case: the object type a <c>RequirePermission</c> reads from the parameter
    /// (<c>file</c>), the literal segment before a generic parameter with the parameter (<c>invitations/id</c>), or the
    /// parameter's name (<c>space</c>).
    /// </summary>
    public abstract IReadOnlyList<string> Keys { get; }

    /// <summary>
    /// Creates (or looks up) the object in the victim tenant and returns the route value. Runs once per matrix run,
    /// before the victim's data is digested; it may add markers (<see cref="VictimTenant.AddMarker"/>) for texts of the
    /// object that only those with a permission may see.
    /// </summary>
    public abstract Task<string> CreateAsync(VictimTenant victim);
}

/// <summary>Every <see cref="RouteValueFiller"/> of the test assembly, and how a route parameter finds its filler.</summary>
internal static class RouteValueFillers
{
    public static IReadOnlyList<RouteValueFiller> Discover() =>
        [.. typeof(RouteValueFiller).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(RouteValueFiller)) && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (RouteValueFiller)Activator.CreateInstance(t, nonPublic: true)!)];

    /// <summary>The keys a parameter of <paramref name="endpoint"/> may be filled by, most specific first.</summary>
    public static IReadOnlyList<string> KeysFor(RouteEndpoint endpoint, RoutePatternParameterPart parameter)
    {
        var keys = new List<string>();
        foreach (var required in endpoint.Metadata.GetOrderedMetadata<RequirePermissionAttribute>())
        {
            if (required.ObjectType is not ("organization" or "space") && string.Equals(required.RouteValue, parameter.Name, StringComparison.OrdinalIgnoreCase))
            {
                keys.Add(required.ObjectType);
            }
        }

        var segments = endpoint.RoutePattern.PathSegments;
        var index = segments.ToList().FindIndex(s => s.Parts.Contains(parameter));
        if (index > 0 && segments[index - 1].Parts is [RoutePatternLiteralPart literal])
        {
            keys.Add($"{literal.Content}/{parameter.Name}");
        }

        keys.Add(parameter.Name);
        return keys;
    }

    /// <summary>The filler for the first key any filler answers, or an error that says what to add.</summary>
    public static RouteValueFiller Resolve(IReadOnlyList<RouteValueFiller> fillers, RouteEndpoint endpoint, RoutePatternParameterPart parameter)
    {
        var keys = KeysFor(endpoint, parameter);
        foreach (var key in keys)
        {
            if (fillers.FirstOrDefault(f => f.Keys.Contains(key, StringComparer.OrdinalIgnoreCase)) is { } filler)
            {
                return filler;
            }
        }

        throw new InvalidOperationException(
            $"No route value filler for parameter '{parameter.Name}' of {endpoint.RoutePattern.RawText} (looked for {string.Join(", ", keys.Select(k => $"'{k}'"))}): "
            + $"add a {nameof(RouteValueFiller)} for one of these keys beside the feature's tests, creating a real object of the victim tenant.");
    }

    /// <summary>The filler whose keys include <paramref name="name"/> (a query or form field), if any.</summary>
    public static RouteValueFiller? ForField(IReadOnlyList<RouteValueFiller> fillers, string name) =>
        fillers.FirstOrDefault(f => f.Keys.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>The query parameters a page reads (<c>[SupplyParameterFromQuery]</c>), by their names in the query string.</summary>
    public static IEnumerable<string> QueryParametersOf(Type page) =>
        page.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<Microsoft.AspNetCore.Components.SupplyParameterFromQueryAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => p.Attribute!.Name ?? p.Property.Name);
}
