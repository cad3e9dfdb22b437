using System.Text.Json;
using System.Text.Json.Nodes;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Reads OpenFGA's authorization-model JSON into the typed model, keeping relation declaration order.</summary>
internal static class ModelJsonReader
{
    public static AuthorizationModel Read(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw Error($"invalid JSON: {e.Message}", (int)(e.LineNumber ?? 0), (int)(e.BytePositionInLine ?? 0));
        }

        if (root is not JsonObject model)
        {
            throw Error("an authorization model must be a JSON object");
        }

        var types = (model["type_definitions"] as JsonArray ?? []).Select(ReadType).ToList();
        var conditions = new Dictionary<string, ConditionDefinition>();
        foreach (var (key, node) in model["conditions"] as JsonObject ?? [])
        {
            conditions[key] = ReadCondition(key, node as JsonObject ?? throw Error($"condition '{key}' must be an object"));
        }

        return new AuthorizationModel(Text(model["schema_version"]) ?? string.Empty, types, conditions) { Id = Text(model["id"]) };
    }

    private static ModelSyntaxException Error(string message, int line = 0, int column = 0) =>
        new([new ModelError(message, line, line, column, column, null, null)]);

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static SourceInfo? ReadSource(JsonObject? metadata)
    {
        var module = Text(metadata?["module"]);
        var file = Text(metadata?["source_info"]?["file"]);
        return string.IsNullOrEmpty(module) && string.IsNullOrEmpty(file) ? null : new SourceInfo(module, file);
    }

    private static TypeDefinition ReadType(JsonNode? node)
    {
        var type = node as JsonObject ?? throw Error("a type definition must be an object");
        var name = Text(type["type"]) ?? throw Error("a type definition needs a 'type' name");
        var metadata = type["metadata"] as JsonObject;
        var relationMetadata = metadata?["relations"] as JsonObject;
        var relations = new List<RelationDefinition>();
        foreach (var (relationName, rewrite) in type["relations"] as JsonObject ?? [])
        {
            var entry = relationMetadata?[relationName] as JsonObject;
            var direct = (entry?["directly_related_user_types"] as JsonArray ?? []).Select(ReadReference).ToList();
            relations.Add(new RelationDefinition(relationName, ReadUserset(rewrite, name, relationName), direct) { Source = ReadSource(entry) });
        }

        var source = ReadSource(metadata);
        return new TypeDefinition(name, relations) { Source = source };
    }

    private static RelationReference ReadReference(JsonNode? node)
    {
        var reference = node as JsonObject ?? throw Error("a directly related user type must be an object");
        var condition = Text(reference["condition"]);
        return new RelationReference(
            Text(reference["type"]) ?? throw Error("a directly related user type needs a 'type'"),
            Text(reference["relation"]) is { Length: > 0 } relation ? relation : null,
            reference["wildcard"] is not null,
            string.IsNullOrEmpty(condition) ? null : condition);
    }

    private static Userset ReadUserset(JsonNode? node, string type, string relation)
    {
        var userset = node as JsonObject ?? throw Error($"relation '{relation}' of type '{type}' must be an object");
        if (userset["this"] is not null)
        {
            return This.Instance;
        }

        if (userset["computedUserset"] is JsonObject computed)
        {
            return new ComputedUserset(Text(computed["relation"]) ?? string.Empty);
        }

        if (userset["tupleToUserset"] is JsonObject ttu)
        {
            return new TupleToUserset(Text(ttu["tupleset"]?["relation"]) ?? string.Empty, Text(ttu["computedUserset"]?["relation"]) ?? string.Empty);
        }

        if (userset["union"] is JsonObject union)
        {
            return new Union([.. Children(union, type, relation)]);
        }

        if (userset["intersection"] is JsonObject intersection)
        {
            return new Intersection([.. Children(intersection, type, relation)]);
        }

        if (userset["difference"] is JsonObject difference)
        {
            return new Difference(ReadUserset(difference["base"], type, relation), ReadUserset(difference["subtract"], type, relation));
        }

        throw Error($"relation '{relation}' of type '{type}' has an unknown rewrite");
    }

    private static IEnumerable<Userset> Children(JsonObject set, string type, string relation) =>
        (set["child"] as JsonArray ?? []).Select(c => ReadUserset(c, type, relation));

    private static ConditionDefinition ReadCondition(string key, JsonObject condition)
    {
        var parameters = new Dictionary<string, ConditionParameterType>();
        foreach (var (name, type) in condition["parameters"] as JsonObject ?? [])
        {
            parameters[name] = ReadParameterType(type, key);
        }

        return new ConditionDefinition(Text(condition["name"]) ?? key, Text(condition["expression"]) ?? string.Empty, parameters)
        {
            Source = ReadSource(condition["metadata"] as JsonObject),
        };
    }

    private static ConditionParameterType ReadParameterType(JsonNode? node, string condition)
    {
        var typeName = Text(node?["type_name"]);
        var name = typeName is null ? null : ConditionTypeNames.FromJson(typeName);
        if (name is null)
        {
            throw Error($"condition '{condition}' has an unknown parameter type '{typeName}'");
        }

        var generics = (node?["generic_types"] as JsonArray ?? []).Select(g => ReadParameterType(g, condition)).ToList();
        return new ConditionParameterType(name.Value, generics);
    }
}
