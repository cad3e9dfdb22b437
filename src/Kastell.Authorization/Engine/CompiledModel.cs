using Kastell.Authorization.Conditions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Engine;

/// <summary>
/// An <see cref="AuthorizationModel"/> prepared for queries: relation plans, type restriction lookups, reachability
/// sets for pruning, reverse-expansion edges and compiled conditions. Immutable once built; shared by all requests.
/// </summary>
internal sealed class CompiledModel
{
    private readonly Dictionary<string, CompiledType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledType>.AlternateLookup<ReadOnlySpan<char>> _typesBySpan;
    private readonly Dictionary<string, List<CompiledRelation>> _relationsBySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledCondition> _conditions = new(StringComparer.Ordinal);

    public CompiledModel(AuthorizationModel model, IConditionEvaluator? conditionEvaluator)
    {
        Source = model;
        _typesBySpan = _types.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var type in model.TypeDefinitions)
        {
            var relations = type.Relations.ToDictionary(r => r.Name, r => new CompiledRelation(type.Name, r), StringComparer.Ordinal);
            if (!_types.TryAdd(type.Name, new CompiledType(type.Name, relations)))
            {
                throw Invalid($"the type '{type.Name}' is defined more than once");
            }
        }

        foreach (var relation in AllRelations)
        {
            IndexDirectSubjects(relation);
        }

        foreach (var relation in AllRelations)
        {
            relation.Plan = Compile(relation, relation.Definition.Rewrite);
        }

        ComputeReachability();
        foreach (var relation in AllRelations)
        {
            CollectUnionLeaves(relation.Plan, relation.UnionLeaves);
            relation.OnCycle = DependsOn(relation, relation);
        }

        CompileConditions(model, conditionEvaluator);
    }

    public AuthorizationModel Source { get; }

    public IEnumerable<CompiledRelation> AllRelations => _types.Values.SelectMany(t => t.Relations.Values);

    public bool HasType(string type) => _types.ContainsKey(type);

    /// <summary>The type named by a span of a request string (no substring needed).</summary>
    public bool TryGetType(ReadOnlySpan<char> name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CompiledType? type) =>
        _typesBySpan.TryGetValue(name, out type);

    /// <summary>The interned <c>type:*</c> of a defined type.</summary>
    public string? WildcardOf(string type) => _types.TryGetValue(type, out var compiled) ? compiled.Wildcard : null;

    public CompiledRelation? FindRelation(string type, string relation) =>
        _types.TryGetValue(type, out var compiledType) && compiledType.Relations.TryGetValue(relation, out var compiled) ? compiled : null;

    /// <summary>Relations that admit the subject kind (<c>user</c>, <c>user:*</c>, <c>group#member</c>) as a direct type restriction.</summary>
    public IReadOnlyList<CompiledRelation> RelationsAdmitting(string subjectKind) =>
        _relationsBySubject.TryGetValue(subjectKind, out var relations) ? relations : [];

    public CompiledCondition? FindCondition(string name) => _conditions.GetValueOrDefault(name);

    public bool IsConditionDefined(string name) => Source.Conditions.ContainsKey(name);

    private static AuthorizationException Invalid(string reason) =>
        new(AuthorizationErrorCode.InvalidAuthorizationModel, $"invalid authorization model: {reason}");

    private void IndexDirectSubjects(CompiledRelation relation)
    {
        foreach (var reference in relation.Definition.DirectlyRelatedUserTypes)
        {
            if (!_types.TryGetValue(reference.Type, out var referencedType))
            {
                throw Invalid($"type '{reference.Type}' used in '{relation.Qualified}' is not defined");
            }

            if (reference.Relation is not null && !referencedType.Relations.ContainsKey(reference.Relation))
            {
                throw Invalid($"relation '{reference.Type}#{reference.Relation}' used in '{relation.Qualified}' is not defined");
            }

            var kind = reference.Wildcard ? reference.Type + ":*" : reference.Relation is null ? reference.Type : $"{reference.Type}#{reference.Relation}";
            if (!relation.DirectSubjects.TryGetValue(kind, out var conditions))
            {
                conditions = [];
                relation.DirectSubjects[kind] = conditions;
                if (!_relationsBySubject.TryGetValue(kind, out var admitting))
                {
                    admitting = [];
                    _relationsBySubject[kind] = admitting;
                }

                admitting.Add(relation);
            }

            conditions.Add(reference.Condition);
            if (reference.Relation is not null)
            {
                relation.HasUsersetSubjects = true;
                AddOnce(referencedType.Relations[reference.Relation].UsersetDependents, relation);
            }
        }
    }

    /// <summary>
    /// Reverse-expansion edges are sets: a relation that names the same operand twice (<c>a or (a and b)</c>), a
    /// userset restriction listed with and without a condition, or a tupleset admitting a type twice must not make
    /// ListObjects follow (and read) the same edge twice. The lists are tiny, so a linear test is cheapest.
    /// </summary>
    private static void AddOnce<T>(List<T> edges, T edge)
    {
        if (!edges.Contains(edge))
        {
            edges.Add(edge);
        }
    }

    private PlanNode Compile(CompiledRelation owner, Userset rewrite)
    {
        switch (rewrite)
        {
            case This:
                return new DirectNode();
            case ComputedUserset computed:
                var target = FindRelation(owner.Type, computed.Relation)
                    ?? throw Invalid($"relation '{owner.Type}#{computed.Relation}' used in '{owner.Qualified}' is not defined");
                AddOnce(target.ComputedDependents, owner);
                return new ComputedNode(target);
            case TupleToUserset ttu:
                var tupleset = FindRelation(owner.Type, ttu.Tupleset)
                    ?? throw Invalid($"tupleset relation '{owner.Type}#{ttu.Tupleset}' used in '{owner.Qualified}' is not defined");
                foreach (var reference in tupleset.Definition.DirectlyRelatedUserTypes.Where(r => r.Relation is null && !r.Wildcard))
                {
                    if (FindRelation(reference.Type, ttu.ComputedRelation) is { } computedRelation)
                    {
                        AddOnce(computedRelation.TupleToUsersetDependents, (owner, tupleset));
                    }
                }

                return new TupleToUsersetNode(tupleset, ttu.ComputedRelation);
            case Union union:
                return new UnionNode([.. union.Children.Select(c => Compile(owner, c))]);
            case Intersection intersection:
                return new IntersectionNode([.. intersection.Children.Select(c => Compile(owner, c))]);
            case Difference difference:
                return new DifferenceNode(Compile(owner, difference.Base), Compile(owner, difference.Subtract));
            default:
                throw Invalid($"unsupported rewrite {rewrite.GetType().Name} in '{owner.Qualified}'");
        }
    }

    /// <summary>
    /// Fixed point of "which user types and usersets can a relation contain"; Check uses it to skip branches that cannot
    /// lead to the requested user. Intersections and exclusions are over-approximated by the union of their operands.
    /// </summary>
    private void ComputeReachability()
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var relation in AllRelations)
            {
                var before = relation.Reachable.Count;
                AddReachable(relation, relation.Plan, relation.Reachable);
                changed |= relation.Reachable.Count != before;
            }
        }
        while (changed);
    }

    private void AddReachable(CompiledRelation owner, PlanNode node, HashSet<string> into)
    {
        // A userset always contains itself (OpenFGA's "self-defining" check: group:eng#member is a member of group:eng).
        into.Add(owner.Qualified);
        switch (node)
        {
            case DirectNode:
                foreach (var reference in owner.Definition.DirectlyRelatedUserTypes)
                {
                    if (reference.Relation is null)
                    {
                        into.Add(reference.Type);
                    }
                    else
                    {
                        into.Add($"{reference.Type}#{reference.Relation}");
                        into.UnionWith(FindRelation(reference.Type, reference.Relation)!.Reachable);
                    }
                }

                break;
            case ComputedNode computed:
                into.UnionWith(computed.Target.Reachable);
                break;
            case TupleToUsersetNode ttu:
                foreach (var reference in ttu.Tupleset.Definition.DirectlyRelatedUserTypes.Where(r => r.Relation is null && !r.Wildcard))
                {
                    if (FindRelation(reference.Type, ttu.ComputedRelation) is { } target)
                    {
                        into.UnionWith(target.Reachable);
                    }
                }

                break;
            case UnionNode union:
                foreach (var child in union.Children)
                {
                    AddReachable(owner, child, into);
                }

                break;
            case IntersectionNode intersection:
                foreach (var child in intersection.Children)
                {
                    AddReachable(owner, child, into);
                }

                break;
            case DifferenceNode difference:
                AddReachable(owner, difference.Base, into);
                break;
        }
    }

    private static void CollectUnionLeaves(PlanNode node, List<PlanNode> into)
    {
        if (node is UnionNode union)
        {
            foreach (var child in union.Children)
            {
                CollectUnionLeaves(child, into);
            }
        }
        else if (node is DirectNode or ComputedNode or TupleToUsersetNode)
        {
            into.Add(node);
        }
    }

    /// <summary>Whether evaluating <paramref name="from"/> can dispatch (transitively) to <paramref name="target"/>.</summary>
    private bool DependsOn(CompiledRelation from, CompiledRelation target)
    {
        var seen = new HashSet<CompiledRelation>();
        var pending = new Stack<CompiledRelation>();
        pending.Push(from);
        while (pending.TryPop(out var relation))
        {
            foreach (var next in Dispatches(relation, relation.Plan))
            {
                if (ReferenceEquals(next, target))
                {
                    return true;
                }

                if (seen.Add(next))
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    /// <summary>The relations that evaluating <paramref name="node"/> of <paramref name="owner"/> may resolve next.</summary>
    private IEnumerable<CompiledRelation> Dispatches(CompiledRelation owner, PlanNode node)
    {
        switch (node)
        {
            case DirectNode:
                foreach (var reference in owner.Definition.DirectlyRelatedUserTypes.Where(r => r.Relation is not null))
                {
                    yield return FindRelation(reference.Type, reference.Relation!)!;
                }

                break;
            case ComputedNode computed:
                yield return computed.Target;
                break;
            case TupleToUsersetNode ttu:
                foreach (var reference in ttu.Tupleset.Definition.DirectlyRelatedUserTypes.Where(r => r.Relation is null && !r.Wildcard))
                {
                    if (FindRelation(reference.Type, ttu.ComputedRelation) is { } target)
                    {
                        yield return target;
                    }
                }

                break;
            case UnionNode union:
                foreach (var next in union.Children.SelectMany(c => Dispatches(owner, c)))
                {
                    yield return next;
                }

                break;
            case IntersectionNode intersection:
                foreach (var next in intersection.Children.SelectMany(c => Dispatches(owner, c)))
                {
                    yield return next;
                }

                break;
            case DifferenceNode difference:
                foreach (var next in Dispatches(owner, difference.Base).Concat(Dispatches(owner, difference.Subtract)))
                {
                    yield return next;
                }

                break;
        }
    }

    private void CompileConditions(AuthorizationModel model, IConditionEvaluator? evaluator)
    {
        if (evaluator is null)
        {
            return;
        }

        foreach (var (name, definition) in model.Conditions)
        {
            try
            {
                _conditions[name] = evaluator.Compile(definition);
            }
            catch (ConditionException e)
            {
                throw Invalid($"condition '{name}' is invalid: {e.Message}");
            }
        }
    }
}
