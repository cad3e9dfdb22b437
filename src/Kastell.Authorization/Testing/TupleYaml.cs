using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>Tuples as both test formats write them: <c>object</c>, <c>relation</c>, <c>user</c>, optional <c>condition: {name, context}</c>.</summary>
internal static class TupleYaml
{
    public static RelationshipTuple Read(object? value)
    {
        var map = YamlAccess.Map(value);
        TupleCondition? condition = null;
        if (map.Get("condition") is Dictionary<string, object?> c)
        {
            condition = new TupleCondition(c.Text("name") ?? "", c.Context("context"));
        }

        return new RelationshipTuple(map.Text("object") ?? "", map.Text("relation") ?? "", map.Text("user") ?? "", condition);
    }

    public static IReadOnlyList<RelationshipTuple> ReadAll(object? value) => [.. YamlAccess.List(value).Select(Read)];
}
