using System.Text.RegularExpressions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>
/// OpenFGA's semantic rules for a syntactically valid model: names, schema version, undefined types, relations and
/// conditions, tupleset restrictions, duplicates, relations that can never be satisfied, unused conditions. Rule
/// groups run in OpenFGA's order and later groups are skipped once earlier ones found errors, as OpenFGA does.
/// </summary>
internal sealed partial class DslValidator
{
    internal const string TypeRule = @"^[^:#@\*\s]{1,254}$";
    internal const string RelationRule = @"^[^:#@\*\s]{1,50}$";

    private readonly AuthorizationModel _model;
    private readonly ErrorLocator _locator;
    private readonly List<ModelError> _errors = [];
    private readonly Dictionary<string, TypeDefinition> _types = [];

    private DslValidator(AuthorizationModel model, ErrorLocator locator)
    {
        _model = model;
        _locator = locator;
        foreach (var type in model.TypeDefinitions)
        {
            _types.TryAdd(type.Name, type);
        }
    }

    public static List<ModelError> Validate(DslDocument document, string source) =>
        document.SchemaVersion is null
            ? [ErrorLocator.AtColumn(0, 0, string.Empty, "schema version required", "schema-version-required")]
            : Validate(DslModelBuilder.Build(document), source);

    public static List<ModelError> Validate(AuthorizationModel model, string source)
    {
        var validator = new DslValidator(model, new ErrorLocator(source));
        validator.Run();
        return validator._errors;
    }

    private void Run()
    {
        CheckOneModulePerFile();
        CheckNames();
        if (string.IsNullOrEmpty(_model.SchemaVersion))
        {
            _errors.Add(ErrorLocator.AtColumn(0, 0, string.Empty, "schema version required", "schema-version-required"));
            return;
        }

        if (_model.SchemaVersion is not ("1.1" or "1.2"))
        {
            var line = _locator.SchemaLine(_model.SchemaVersion);
            _errors.Add(_locator.At(line, _model.SchemaVersion, $"invalid schema {_model.SchemaVersion}", "invalid-schema"));
            return;
        }

        if (_errors.Count > 0)
        {
            return;
        }

        foreach (var type in _model.TypeDefinitions)
        {
            foreach (var relation in type.Relations)
            {
                CheckReferences(type, relation);
            }
        }

        if (_errors.Count == 0)
        {
            CheckDuplicates();
        }

        if (_errors.Count == 0)
        {
            CheckEntryPoints();
        }

        CheckUnusedConditions();
    }

    /// <summary>A combined model must still split back into files that each declare a single module.</summary>
    private void CheckOneModulePerFile()
    {
        var sources = _model.TypeDefinitions
            .SelectMany(t => t.Relations.Select(r => r.Source).Prepend(t.Source))
            .Concat(_model.Conditions.Values.Select(c => c.Source))
            .OfType<SourceInfo>()
            .Where(s => !string.IsNullOrEmpty(s.File) && !string.IsNullOrEmpty(s.Module));
        foreach (var file in sources.GroupBy(s => s.File!))
        {
            var modules = file.Select(s => s.Module!).Distinct().ToList();
            if (modules.Count > 1)
            {
                _errors.Add(ErrorLocator.AtColumn(0, 0, file.Key, $"file {file.Key} would contain multiple module definitions ({string.Join(", ", modules)}) when transforming to DSL. Only one module can be defined per file.", "multiple-modules-in-file"));
            }
        }
    }

    private void CheckNames()
    {
        var typeRule = NameRule(TypeRule);
        var relationRule = NameRule(RelationRule);
        foreach (var type in _model.TypeDefinitions)
        {
            if (type.Name is "self" or "this")
            {
                _errors.Add(_locator.At(_locator.TypeLine(type.Name), type.Name, "a type cannot be named 'self' or 'this'.", "reserved-type-keywords"));
            }

            if (!typeRule.IsMatch(type.Name))
            {
                _errors.Add(_locator.At(_locator.TypeLine(type.Name), type.Name, $"type '{type.Name}' does not match naming rule: '{TypeRule}'.", "invalid-name"));
            }

            foreach (var relation in type.Relations)
            {
                var line = _locator.RelationLine(type.Name, relation.Name);
                if (relation.Name is "self" or "this")
                {
                    _errors.Add(_locator.At(line, relation.Name, "a relation cannot be named 'self' or 'this'.", "reserved-relation-keywords"));
                }
                else if (!relationRule.IsMatch(relation.Name))
                {
                    _errors.Add(_locator.At(line, relation.Name, $"relation '{relation.Name}' of type '{type.Name}' does not match naming rule: '{RelationRule}'.", "invalid-name"));
                }
            }
        }
    }

    private static Regex NameRule(string rule) => new(rule, RegexOptions.CultureInvariant);

    private void CheckReferences(TypeDefinition type, RelationDefinition relation)
    {
        var line = _locator.RelationLine(type.Name, relation.Name);
        foreach (var leaf in Leaves(relation.Rewrite))
        {
            switch (leaf)
            {
                case This:
                    CheckDirect(type, relation, line);
                    break;
                case ComputedUserset computed when type.FindRelation(computed.Relation) is null:
                    _errors.Add(_locator.AtDefinition(line, computed.Relation, $"the relation `{computed.Relation}` does not exist.", "missing-definition"));
                    break;
                case TupleToUserset ttu:
                    CheckTupleToUserset(type, ttu, line);
                    break;
            }
        }
    }

    /// <summary>Leaves of a rewrite in breadth-first order, the order OpenFGA reports their errors in.</summary>
    private static IEnumerable<Userset> Leaves(Userset rewrite)
    {
        var queue = new Queue<Userset>([rewrite]);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            switch (current)
            {
                case Union u:
                    u.Children.ToList().ForEach(queue.Enqueue);
                    break;
                case Intersection i:
                    i.Children.ToList().ForEach(queue.Enqueue);
                    break;
                case Difference d:
                    queue.Enqueue(d.Base);
                    queue.Enqueue(d.Subtract);
                    break;
                default:
                    yield return current;
                    break;
            }
        }
    }

    private void CheckDirect(TypeDefinition type, RelationDefinition relation, int line)
    {
        foreach (var reference in relation.DirectlyRelatedUserTypes)
        {
            var target = _types.GetValueOrDefault(reference.Type);
            if (target is null)
            {
                _errors.Add(_locator.AtDefinition(line, reference.Type, $"`{reference.Type}` is not a valid type.", "invalid-type"));
            }

            if (reference.Condition is { Length: > 0 } condition && !_model.Conditions.ContainsKey(condition))
            {
                _errors.Add(_locator.AtCondition(line, condition, $"`{condition}` is not a defined condition in the model.", "condition-not-defined"));
            }

            if (reference.Relation is not null && target?.FindRelation(reference.Relation) is null)
            {
                var symbol = $"{reference.Type}#{reference.Relation}";
                _errors.Add(_locator.AtDefinition(line, symbol, $"`{reference.Relation}` is not a valid relation for `{reference.Type}`.", "invalid-relation-type"));
            }
        }
    }

    private void CheckTupleToUserset(TypeDefinition type, TupleToUserset ttu, int line)
    {
        var symbol = $"{ttu.ComputedRelation} from {ttu.Tupleset}";
        var tupleset = type.FindRelation(ttu.Tupleset);
        if (tupleset is null)
        {
            _errors.Add(_locator.AtDefinition(line, symbol, $"`{ttu.Tupleset}` is not a valid relation for `{type.Name}`.", "invalid-relation-type"));
            return;
        }

        if (tupleset.Rewrite is not This)
        {
            AddTuplesetNotDirect(ttu.Tupleset, line);
            return;
        }

        var missing = new List<string>();
        foreach (var reference in tupleset.DirectlyRelatedUserTypes)
        {
            if (reference.Relation is not null || reference.Wildcard)
            {
                AddTuplesetNotDirect(ttu.Tupleset, line);
            }
            else if (_types.GetValueOrDefault(reference.Type)?.FindRelation(ttu.ComputedRelation) is null)
            {
                missing.Add(reference.Type);
            }
        }

        // The computed relation only has to exist on one of the tupleset's types.
        if (missing.Count == tupleset.DirectlyRelatedUserTypes.Count)
        {
            foreach (var missingOn in missing)
            {
                _errors.Add(_locator.AtDefinition(
                    line,
                    symbol,
                    $"the `{ttu.ComputedRelation}` relation definition on type `{type.Name}` is not valid: `{ttu.ComputedRelation}` does not exist on `{ttu.Tupleset}`, which is of type `{missingOn}`.",
                    "invalid-relation-on-tupleset"));
            }
        }
    }

    private void AddTuplesetNotDirect(string tupleset, int line)
    {
        var text = _locator.Line(line);
        var from = text.IndexOf("from", StringComparison.Ordinal);
        var clauseStart = from + "from".Length + 1;
        var column = from < 0 || clauseStart > text.Length ? 0 : clauseStart + Math.Max(text[clauseStart..].IndexOf(tupleset, StringComparison.Ordinal), 0);
        _errors.Add(ErrorLocator.AtColumn(line, column, tupleset, $"`{tupleset}` relation used inside from allows only direct relation.", "tupleuserset-not-direct"));
    }

    private void CheckDuplicates()
    {
        var seenTypes = new HashSet<string>();
        foreach (var type in _model.TypeDefinitions)
        {
            if (!seenTypes.Add(type.Name))
            {
                _errors.Add(_locator.At(_locator.TypeLine(type.Name), type.Name, $"the type `{type.Name}` is a duplicate.", "duplicated-error"));
            }

            foreach (var relation in type.Relations)
            {
                var line = _locator.RelationLine(type.Name, relation.Name);
                var restrictions = new HashSet<string>();
                foreach (var reference in relation.DirectlyRelatedUserTypes)
                {
                    var text = RestrictionText(reference);
                    if (!restrictions.Add(text))
                    {
                        _errors.Add(_locator.AtDefinition(line, text, $"the type restriction `{text}` is a duplicate in the relation `{relation.Name}`.", "duplicated-error"));
                    }
                }

                CheckDuplicatePartials(relation, line);
            }
        }
    }

    private void CheckDuplicatePartials(RelationDefinition relation, int line)
    {
        IReadOnlyList<Userset> children = relation.Rewrite switch
        {
            Union u => u.Children,
            Intersection i => i.Children,
            Difference d => [d.Base, d.Subtract],
            _ => [],
        };
        var seen = new HashSet<string>();
        foreach (var child in children)
        {
            var name = PartialName(child);
            if (name is not null && !seen.Add(name))
            {
                _errors.Add(_locator.AtDefinition(line, name, $"the partial relation definition `{name}` is a duplicate in the relation `{relation.Name}`.", "duplicated-error"));
            }
        }
    }

    private static string? PartialName(Userset userset) => userset switch
    {
        ComputedUserset c => c.Relation,
        TupleToUserset t => $"{t.ComputedRelation} from {t.Tupleset}",
        _ => null,
    };

    internal static string RestrictionText(RelationReference reference)
    {
        var text = reference.Wildcard ? $"{reference.Type}:*" : reference.Relation is null ? reference.Type : $"{reference.Type}#{reference.Relation}";
        return reference.Condition is { Length: > 0 } condition ? $"{text} with {condition}" : text;
    }

    private void CheckUnusedConditions()
    {
        foreach (var (key, condition) in _model.Conditions.Where(c => c.Key != c.Value.Name))
        {
            _errors.Add(ErrorLocator.AtColumn(0, 0, condition.Name, $"condition key is `{key}` but nested name property is {condition.Name}", "different-nested-condition-name"));
        }

        var used = _model.TypeDefinitions
            .SelectMany(t => t.Relations)
            .SelectMany(r => r.DirectlyRelatedUserTypes)
            .Select(r => r.Condition)
            .OfType<string>()
            .ToHashSet();
        foreach (var name in _model.Conditions.Keys.Where(c => !used.Contains(c)))
        {
            _errors.Add(_locator.At(_locator.ConditionLine(name), name, $"`{name}` condition is not used in the model.", "condition-not-used"));
        }
    }
}
