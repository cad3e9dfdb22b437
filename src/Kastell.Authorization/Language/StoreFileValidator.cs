using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kastell.Authorization.Language;

/// <summary>A problem in a store test file (<c>*.fga.yaml</c>), named like OpenFGA's schema checker names it.</summary>
public sealed record StoreFileError(string Keyword, string InstancePath, string Message, string? AdditionalProperty = null);

/// <summary>
/// Checks the shape of an OpenFGA store test file: the allowed keys at each level, a model or model file, and that the
/// model itself parses and validates. <paramref name="readFile"/> resolves <c>model_file</c> relative to the store file.
/// </summary>
public static class StoreFileValidator
{
    private static readonly string[] StoreKeys = ["name", "model_file", "model", "tuple_file", "tuples", "tests"];
    private static readonly string[] TupleKeys = ["user", "relation", "object", "condition"];
    private static readonly string[] TestKeys = ["name", "description", "tuple_file", "tuples", "check", "list_objects", "list_users"];
    private static readonly string[] CheckQueryKeys = ["user", "object", "assertions", "context"];
    private static readonly string[] ListObjectsKeys = ["user", "relation", "type", "assertions", "context"];
    private static readonly string[] ListUsersKeys = ["object", "user_filter", "context", "assertions"];

    public static IReadOnlyList<StoreFileError> Validate(string yaml, Func<string, string?> readFile)
    {
        var errors = new List<StoreFileError>();
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
        }
        catch (YamlException e)
        {
            return [new StoreFileError("yaml", string.Empty, e.Message)];
        }

        if (root is null)
        {
            return [new StoreFileError("type", string.Empty, "must be object")];
        }

        CheckKeys(root, StoreKeys, string.Empty, errors);
        if (Child(root, "tests") is null)
        {
            errors.Add(new StoreFileError("required", string.Empty, "must have required property 'tests'"));
        }

        CheckItems(Child(root, "tuples"), TupleKeys, "/tuples", errors);
        if (Child(root, "tests") is YamlSequenceNode tests)
        {
            for (var i = 0; i < tests.Children.Count; i++)
            {
                var test = tests.Children[i];
                var path = $"/tests/{i}";
                CheckKeys(test, TestKeys, path, errors);
                CheckItems(Child(test, "tuples"), TupleKeys, path + "/tuples", errors);
                CheckItems(Child(test, "check"), CheckQueryKeys, path + "/check", errors);
                CheckItems(Child(test, "list_objects"), ListObjectsKeys, path + "/list_objects", errors);
                CheckItems(Child(test, "list_users"), ListUsersKeys, path + "/list_users", errors);
            }
        }

        CheckModel(root, readFile, errors);
        return errors;
    }

    private static void CheckModel(YamlMappingNode root, Func<string, string?> readFile, List<StoreFileError> errors)
    {
        var model = (Child(root, "model") as YamlScalarNode)?.Value;
        var modelFile = (Child(root, "model_file") as YamlScalarNode)?.Value;
        if (model is null && modelFile is null)
        {
            errors.Add(new StoreFileError("valid_store", string.Empty, "'model' or 'model_file' must be presenet keys."));
            return;
        }

        var dsl = model ?? readFile(modelFile!);
        if (dsl is null)
        {
            errors.Add(new StoreFileError("valid_store", "/model_file", $"the model file '{modelFile}' cannot be read."));
            return;
        }

        foreach (var error in ModelParser.Analyze(dsl).Errors)
        {
            errors.Add(new StoreFileError("valid_model", model is null ? "/model_file" : "/model", error.ToString()));
        }
    }

    private static YamlNode? Child(YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static void CheckItems(YamlNode? node, string[] allowed, string path, List<StoreFileError> errors)
    {
        if (node is not YamlSequenceNode sequence)
        {
            return;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            CheckKeys(sequence.Children[i], allowed, $"{path}/{i}", errors);
        }
    }

    private static void CheckKeys(YamlNode node, string[] allowed, string path, List<StoreFileError> errors)
    {
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(new StoreFileError("type", path, "must be object"));
            return;
        }

        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).Where(k => !allowed.Contains(k)))
        {
            errors.Add(new StoreFileError("additionalProperties", path, "must NOT have additional properties", key));
        }
    }
}
