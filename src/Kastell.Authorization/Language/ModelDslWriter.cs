using System.Text;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Writes a model as OpenFGA DSL in OpenFGA's own layout.</summary>
public static class ModelDslWriter
{
    /// <summary>Throws <see cref="UnsupportedDslNestingException"/> when direct assignment sits where the DSL cannot place it.</summary>
    public static string Write(AuthorizationModel model)
    {
        var dsl = new StringBuilder();
        dsl.Append("model\n  schema ").Append(model.SchemaVersion).Append('\n');
        foreach (var type in model.TypeDefinitions)
        {
            dsl.Append("\ntype ").Append(type.Name).Append('\n');
            if (type.Relations.Count == 0)
            {
                continue;
            }

            dsl.Append("  relations\n");
            foreach (var relation in type.Relations)
            {
                var definition = Rewrite(relation.Rewrite, relation, allowDirect: true)
                    ?? throw new UnsupportedDslNestingException(type.Name, relation.Name);
                dsl.Append("    define ").Append(relation.Name).Append(": ").Append(definition).Append('\n');
            }
        }

        foreach (var condition in model.Conditions.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var parameters = string.Join(", ", condition.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {ConditionTypeNames.ToDsl(p.Value)}"));
            dsl.Append("\ncondition ").Append(condition.Name).Append('(').Append(parameters).Append(") {\n  ")
                .Append(condition.Expression).Append("\n}\n");
        }

        return dsl.ToString();
    }

    /// <summary>
    /// The DSL only allows <c>[...]</c> as the first operand of a chain (top level or the first parenthesised group),
    /// so direct assignment is moved first in commutative sets and rejected elsewhere. Returns null when impossible.
    /// </summary>
    private static string? Rewrite(Userset userset, RelationDefinition relation, bool allowDirect)
    {
        switch (userset)
        {
            case This:
                return allowDirect ? "[" + string.Join(", ", relation.DirectlyRelatedUserTypes.Select(DslValidator.RestrictionText)) + "]" : null;
            case ComputedUserset c:
                return c.Relation;
            case TupleToUserset t:
                return $"{t.ComputedRelation} from {t.Tupleset}";
            case Union u:
                return Chain(DirectFirst(u.Children), " or ", relation, allowDirect);
            case Intersection i:
                return Chain(DirectFirst(i.Children), " and ", relation, allowDirect);
            case Difference d:
                return Chain([d.Base, d.Subtract], " but not ", relation, allowDirect);
            default:
                return null;
        }
    }

    private static List<Userset> DirectFirst(IReadOnlyList<Userset> children) =>
        [.. children.Where(c => c is This), .. children.Where(c => c is not This)];

    private static string? Chain(IReadOnlyList<Userset> operands, string separator, RelationDefinition relation, bool allowDirect)
    {
        var parts = new List<string>();
        for (var i = 0; i < operands.Count; i++)
        {
            var text = Rewrite(operands[i], relation, allowDirect && i == 0);
            if (text is null)
            {
                return null;
            }

            parts.Add(operands[i] is Union or Intersection or Difference ? $"({text})" : text);
        }

        return string.Join(separator, parts);
    }
}
