using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Kastell.Authorization.Testing;

/// <summary>
/// Reads YAML into plain values: dictionaries, lists, and JSON-like scalars (plain scalars become bool, null or
/// double when they look like one; quoted scalars stay strings), which is what condition contexts need.
/// </summary>
internal static class YamlValues
{
    public static object? Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    public static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value ?? "",
            e => Convert(e.Value),
            StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static object? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value;
        if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain)
        {
            return value;
        }

        return value switch
        {
            null or "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
            _ => value,
        };
    }
}

/// <summary>Typed access to the plain values produced by <see cref="YamlValues"/>.</summary>
internal static class YamlAccess
{
    public static IReadOnlyDictionary<string, object?> Map(object? value) =>
        value as IReadOnlyDictionary<string, object?> ?? (value is Dictionary<string, object?> d ? d : new Dictionary<string, object?>());

    public static IReadOnlyList<object?> List(object? value) => value as List<object?> ?? [];

    public static object? Get(this IReadOnlyDictionary<string, object?> map, string key) => map.TryGetValue(key, out var value) ? value : null;

    public static string? Text(this IReadOnlyDictionary<string, object?> map, string key) => map.Get(key) switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString(CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };

    public static IReadOnlyDictionary<string, object?>? Context(this IReadOnlyDictionary<string, object?> map, string key) =>
        map.Get(key) as Dictionary<string, object?>;

    public static IReadOnlyList<string> Texts(this IReadOnlyDictionary<string, object?> map, string key) =>
        map.Get(key) switch
        {
            List<object?> list => [.. list.Select(v => v switch { double d => d.ToString(CultureInfo.InvariantCulture), _ => v?.ToString() ?? "" })],
            string s => [s],
            _ => [],
        };
}
