using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Turns the positioned syntax tree into the shared <see cref="AuthorizationModel"/>.</summary>
internal static class DslModelBuilder
{
    public static AuthorizationModel Build(DslDocument document, string? file = null)
    {
        SourceInfo? source = document.ModuleName is null ? null : new SourceInfo(document.ModuleName, file);
        var types = document.Types
            .Select(t => new TypeDefinition(t.Name, [.. t.Relations.Select(r => BuildRelation(r, source))]) { Source = source })
            .ToList();
        var conditions = new Dictionary<string, ConditionDefinition>();
        foreach (var condition in document.Conditions)
        {
            conditions[condition.Name] = new ConditionDefinition(
                condition.Name,
                condition.Expression,
                condition.Parameters.ToDictionary(p => p.Name, p => p.Type)) { Source = source };
        }

        return new AuthorizationModel(document.SchemaVersion ?? "1.1", types, conditions);
    }

    private static RelationDefinition BuildRelation(DslRelation relation, SourceInfo? source)
    {
        var direct = new List<RelationReference>();
        var rewrite = BuildUserset(relation.Rewrite, direct);
        return new RelationDefinition(relation.Name, rewrite, direct) { Source = source };
    }

    private static Userset BuildUserset(DslExpression expression, List<RelationReference> direct) => expression switch
    {
        DslDirect d => AddDirect(d, direct),
        DslComputed c => new ComputedUserset(c.Relation),
        DslTupleToUserset t => new TupleToUserset(t.Tupleset, t.Relation),
        DslOperation { Operator: DslOperator.Union } o => new Union([.. o.Children.Select(c => BuildUserset(c, direct))]),
        DslOperation { Operator: DslOperator.Intersection } o => new Intersection([.. o.Children.Select(c => BuildUserset(c, direct))]),
        DslOperation o => new Difference(BuildUserset(o.Children[0], direct), BuildUserset(o.Children[1], direct)),
        _ => throw new InvalidOperationException($"Unknown DSL expression {expression.GetType().Name}."),
    };

    private static This AddDirect(DslDirect directAssignment, List<RelationReference> direct)
    {
        direct.AddRange(directAssignment.Types.Select(t => new RelationReference(t.Type, t.Relation, t.Wildcard, t.Condition)));
        return This.Instance;
    }
}
