using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kastell.Authorization.Language;

/// <summary>A value read from <c>fga.mod</c> with its zero-based position (end exclusive).</summary>
public sealed record FgaModValue<T>(T Value, int LineStart, int LineEnd, int ColumnStart, int ColumnEnd);

/// <summary>The <c>fga.mod</c> manifest of a modular model: the schema version and the module files, in order.</summary>
public sealed record FgaModFile(FgaModValue<string> Schema, FgaModValue<IReadOnlyList<FgaModValue<string>>> Contents)
{
    /// <summary>Reads and checks a manifest; returns the manifest or the errors, positioned like OpenFGA's.</summary>
    public static (FgaModFile? File, IReadOnlyList<ModelError> Errors) Parse(string text)
    {
        var errors = new List<ModelError>();
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
        }
        catch (YamlException e)
        {
            var line = (int)e.Start.Line - 1;
            return (null, [new ModelError(e.Message, line, line, (int)e.Start.Column - 1, (int)e.End.Column - 1, null, null)]);
        }

        var schemaNode = root?.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "schema" }).Value;
        var contentsNode = root?.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "contents" }).Value;
        var schema = ReadSchema(schemaNode, errors);
        var contents = ReadContents(contentsNode, errors);
        return errors.Count > 0 || schema is null || contents is null ? (null, errors) : (new FgaModFile(schema, contents), []);
    }

    private static FgaModValue<T> At<T>(YamlNode node, T value) =>
        new(value, (int)node.Start.Line - 1, (int)node.End.Line - 1, (int)node.Start.Column - 1, (int)node.End.Column - 1);

    private static ModelError Error(string message, YamlNode? node) => node is null
        ? new ModelError(message, 0, 0, 0, 0, null, null)
        : new ModelError(message, (int)node.Start.Line - 1, (int)node.End.Line - 1, (int)node.Start.Column - 1, (int)node.End.Column - 1, null, null);

    /// <summary>Unquoted YAML scalars such as <c>true</c> or <c>1</c> are booleans or numbers, not strings.</summary>
    private static string? AsString(YamlNode node) =>
        node is YamlScalarNode scalar && !(scalar.Style == ScalarStyle.Plain && IsPlainNonString(scalar.Value)) ? scalar.Value : null;

    private static bool IsPlainNonString(string? value) =>
        value is null or "true" or "false" or "null" or "~" || double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static string Describe(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "null" : node.NodeType.ToString().ToLowerInvariant();

    private static FgaModValue<string>? ReadSchema(YamlNode? node, List<ModelError> errors)
    {
        if (node is null)
        {
            errors.Add(Error("missing schema field", null));
            return null;
        }

        if (AsString(node) is not { } schema)
        {
            errors.Add(Error($"unexpected schema type, expected string got value {Describe(node)}", node));
            return null;
        }

        if (schema != "1.2")
        {
            errors.Add(Error("unsupported schema version, fga.mod only supported in version `1.2`", node));
            return null;
        }

        return At(node, schema);
    }

    private static FgaModValue<IReadOnlyList<FgaModValue<string>>>? ReadContents(YamlNode? node, List<ModelError> errors)
    {
        if (node is null)
        {
            errors.Add(Error("missing contents field", null));
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            errors.Add(Error($"unexpected contents type, expected list of strings got value {Describe(node)}", node));
            return null;
        }

        var items = new List<FgaModValue<string>>();
        foreach (var item in sequence.Children)
        {
            if (AsString(item) is not { } path)
            {
                errors.Add(Error($"unexpected contents item type, expected string got value {Describe(item)}", item));
            }
            else if (!path.EndsWith(".fga", StringComparison.Ordinal))
            {
                errors.Add(Error($"contents items should use fga file extension, got {path}", item));
            }
            else if (!IsSafeRelativePath(path))
            {
                errors.Add(Error($"invalid contents item {path}", item));
            }
            else
            {
                items.Add(At(item, path));
            }
        }

        var whole = At<IReadOnlyList<FgaModValue<string>>>(node, items);

        // A block sequence ends where the line after its last item starts, which is how OpenFGA reports it.
        return sequence.Style != YamlDotNet.Core.Events.SequenceStyle.Flow && sequence.Children.Count > 0
            ? whole with { LineEnd = (int)sequence.Children[^1].End.Line, ColumnEnd = 0 }
            : whole;
    }

    /// <summary>Module paths must stay inside the manifest's folder, also after URL decoding.</summary>
    private static bool IsSafeRelativePath(string path)
    {
        var decoded = Uri.UnescapeDataString(path).Replace('\\', '/');
        return !decoded.StartsWith('/') && !decoded.Split('/').Contains("..") && !decoded.Contains("..", StringComparison.Ordinal);
    }
}
