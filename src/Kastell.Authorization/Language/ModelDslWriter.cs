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
        var modular = model.TypeDefinitions.Any(t => !string.IsNullOrEmpty(t.Source?.Module));
        foreach (var type in modular ? model.TypeDefinitions.OrderBy(t => (t.Source, t.Name), ByModule) : model.TypeDefinitions.AsEnumerable())
        {
            dsl.Append("\ntype ").Append(type.Name).Append('\n');
            if (type.Relations.Count == 0)
            {
                continue;
            }

            dsl.Append("  relations\n");
            foreach (var relation in modular ? type.Relations.OrderBy(r => (r.Source, r.Name), ByModule) : type.Relations.AsEnumerable())
            {
                var definition = Rewrite(relation.Rewrite, relation, allowDirect: true)
                    ?? throw new UnsupportedDslNestingException(type.Name, relation.Name);
                dsl.Append("    define ").Append(relation.Name).Append(": ").Append(definition).Append('\n');
            }
        }

        foreach (var condition in model.Conditions.Values.OrderBy(c => (c.Source, c.Name), ByModule))
        {
            var parameters = string.Join(", ", condition.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {ConditionTypeNames.ToDsl(p.Value)}"));
            dsl.Append("\ncondition ").Append(condition.Name).Append('(').Append(parameters).Append(") {\n  ")
                .Append(condition.Expression).Append("\n}\n");
        }

        return dsl.ToString();
    }

    /// <summary>
    /// OpenFGA's order for a combined modular model: definitions without a module first (by name), then by module,
    /// source file and name (ordinal comparisons, as Go's). Relations without a module belong to their type's module.
    /// </summary>
    private static readonly Comparer<(SourceInfo? Source, string Name)> ByModule = Comparer<(SourceInfo? Source, string Name)>.Create((a, b) =>
    {
        var (aModule, bModule) = (a.Source?.Module ?? string.Empty, b.Source?.Module ?? string.Empty);
        if (aModule.Length == 0 || bModule.Length == 0)
        {
            return aModule.Length == bModule.Length ? string.CompareOrdinal(a.Name, b.Name) : aModule.Length == 0 ? -1 : 1;
        }

        var byModule = string.CompareOrdinal(aModule, bModule);
        if (byModule != 0)
        {
            return byModule;
        }

        var byFile = string.CompareOrdinal(a.Source?.File ?? string.Empty, b.Source?.File ?? string.Empty);
        return byFile != 0 ? byFile : string.CompareOrdinal(a.Name, b.Name);
    });

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
