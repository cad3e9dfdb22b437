using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Reads OpenFGA's test data in <c>tests/data/openfga</c> as JSON-like values.</summary>
internal static class OpenFgaTestData
{
    public static string Root => TestDataFolder.Get("openfga");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static object? LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Count == 0 ? null : ToValue(stream.Documents[0].RootNode);
    }

    /// <summary>YAML to the shapes a context arrives in: plain scalars become numbers, bools or null where they look like them.</summary>
    private static object? ToValue(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ToValue(e.Value)) as IReadOnlyDictionary<string, object?>,
        YamlSequenceNode seq => seq.Children.Select(ToValue).ToList() as IReadOnlyList<object?>,
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded } s => s.Value,
        YamlScalarNode s => s.Value switch
        {
            null or "" or "~" or "null" => null,
            "true" => true,
            "false" => false,
            var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            var v => v,
        },
        _ => null,
    };

    public static IReadOnlyDictionary<string, object?>? Map(object? value, string key) =>
        value is IReadOnlyDictionary<string, object?> m && m.TryGetValue(key, out var v) ? v as IReadOnlyDictionary<string, object?> : null;

    public static IReadOnlyList<object?> List(object? value, string key) =>
        value is IReadOnlyDictionary<string, object?> m && m.TryGetValue(key, out var v) && v is IReadOnlyList<object?> l ? l : [];

    public static string? Text(object? value, string key) =>
        value is IReadOnlyDictionary<string, object?> m && m.TryGetValue(key, out var v) ? v as string : null;

    public static object? Value(object? value, string key) =>
        value is IReadOnlyDictionary<string, object?> m && m.TryGetValue(key, out var v) ? v : null;
}
