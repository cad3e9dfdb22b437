using System.Text.Json;
using System.Text.Json.Nodes;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Writes a model in OpenFGA's authorization-model JSON shape.</summary>
internal static class ModelJsonWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(AuthorizationModel model, bool indented) =>
        ToNode(model).ToJsonString(indented ? Indented : JsonSerializerOptions.Default);

    public static JsonObject ToNode(AuthorizationModel model)
    {
        var root = new JsonObject();
        if (model.Id is not null)
        {
            root["id"] = model.Id;
        }

        root["schema_version"] = model.SchemaVersion;
        if (model.TypeDefinitions.Count > 0)
        {
            root["type_definitions"] = new JsonArray([.. model.TypeDefinitions.Select(TypeNode)]);
        }

        if (model.Conditions.Count > 0)
        {
            var conditions = new JsonObject();
            foreach (var (name, condition) in model.Conditions)
            {
                conditions[name] = ConditionNode(condition);
            }

            root["conditions"] = conditions;
        }

        return root;
    }

    private static JsonObject TypeNode(TypeDefinition type)
    {
        var relations = new JsonObject();
        foreach (var relation in type.Relations)
        {
            relations[relation.Name] = UsersetNode(relation.Rewrite);
        }

        JsonObject? metadata = null;
        if (type.Relations.Count > 0 || type.Source is not null)
        {
            metadata = [];
            AddSource(metadata, type.Source);
            var relationMetadata = new JsonObject();
            foreach (var relation in type.Relations)
            {
                var entry = new JsonObject
                {
                    ["directly_related_user_types"] = new JsonArray([.. relation.DirectlyRelatedUserTypes.Select(ReferenceNode)]),
                };
                if (relation.Source is not null && relation.Source != type.Source)
                {
                    AddSource(entry, relation.Source);
                }

                relationMetadata[relation.Name] = entry;
            }

            if (type.Relations.Count > 0)
            {
                metadata["relations"] = relationMetadata;
            }
        }

        return new JsonObject { ["type"] = type.Name, ["relations"] = relations, ["metadata"] = metadata };
    }

    private static void AddSource(JsonObject target, SourceInfo? source)
    {
        if (source is null)
        {
            return;
        }

        target["module"] = source.Module ?? string.Empty;
        target["source_info"] = new JsonObject { ["file"] = source.File ?? string.Empty };
    }

    private static JsonObject ReferenceNode(RelationReference reference)
    {
        var node = new JsonObject { ["type"] = reference.Type };
        if (reference.Relation is not null)
        {
            node["relation"] = reference.Relation;
        }

        if (reference.Wildcard)
        {
            node["wildcard"] = new JsonObject();
        }

        if (!string.IsNullOrEmpty(reference.Condition))
        {
            node["condition"] = reference.Condition;
        }

        return node;
    }

    internal static JsonObject UsersetNode(Userset userset) => userset switch
    {
        This => new JsonObject { ["this"] = new JsonObject() },
        ComputedUserset c => new JsonObject { ["computedUserset"] = new JsonObject { ["relation"] = c.Relation } },
        TupleToUserset t => new JsonObject
        {
            ["tupleToUserset"] = new JsonObject
            {
                ["tupleset"] = new JsonObject { ["relation"] = t.Tupleset },
                ["computedUserset"] = new JsonObject { ["relation"] = t.ComputedRelation },
            },
        },
        Union u => new JsonObject { ["union"] = new JsonObject { ["child"] = new JsonArray([.. u.Children.Select(UsersetNode)]) } },
        Intersection i => new JsonObject { ["intersection"] = new JsonObject { ["child"] = new JsonArray([.. i.Children.Select(UsersetNode)]) } },
        Difference d => new JsonObject
        {
            ["difference"] = new JsonObject { ["base"] = UsersetNode(d.Base), ["subtract"] = UsersetNode(d.Subtract) },
        },
        _ => throw new InvalidOperationException($"Unknown userset {userset.GetType().Name}."),
    };

    private static JsonObject ConditionNode(ConditionDefinition condition)
    {
        var parameters = new JsonObject();
        foreach (var (name, type) in condition.Parameters)
        {
            parameters[name] = ParameterNode(type);
        }

        var node = new JsonObject
        {
            ["name"] = condition.Name,
            ["expression"] = condition.Expression,
            ["parameters"] = parameters,
        };
        if (condition.Source is not null)
        {
            var metadata = new JsonObject();
            AddSource(metadata, condition.Source);
            node["metadata"] = metadata;
        }

        return node;
    }

    private static JsonObject ParameterNode(ConditionParameterType type)
    {
        var node = new JsonObject { ["type_name"] = ConditionTypeNames.ToJson(type.TypeName) };
        if (type.GenericTypes.Count > 0)
        {
            node["generic_types"] = new JsonArray([.. type.GenericTypes.Select(ParameterNode)]);
        }

        return node;
    }
}
