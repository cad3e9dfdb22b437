using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// ListUsers as forward expansion plus verification: walk the relation's rewrite from the object, following usersets
/// and tuple-to-userset edges, collecting every user, wildcard and userset that matches a filter; then keep those a
/// Check confirms, so intersections, exclusions and conditions behave exactly as in Check.
/// </summary>
internal sealed class ListUsersQuery(
    AuthorizationEngine engine,
    CompiledModel model,
    ITupleReader reader,
    string @object,
    CompiledRelation relation,
    IReadOnlyList<UserTypeFilter> filters,
    IReadOnlyDictionary<string, object?>? context,
    CancellationToken cancellationToken)
{
    private readonly HashSet<(string Object, CompiledRelation Relation)> _visited = [];
    private readonly List<string> _candidates = [];
    private readonly HashSet<string> _seenCandidates = new(StringComparer.Ordinal);
    private readonly ListDeadline _deadline = new(engine.Options.ListTimeout);
    private readonly int _maxDepth = engine.Options.MaxResolutionDepth;
    private bool _truncated;

    public async ValueTask<ListUsersResult> RunAsync()
    {
        await ExpandAsync(@object, relation, 0).ConfigureAwait(false);
        var users = new List<string>();
        foreach (var candidate in _candidates)
        {
            if (users.Count >= engine.Options.ListUsersMaxResults || _deadline.Passed)
            {
                _truncated = true;
                break;
            }

            TupleParts.TryParseUser(candidate, out var parsed);
            if (parsed is null)
            {
                continue;
            }

            var result = await engine.CheckAsync(reader, @object, relation, candidate, parsed, context, explain: false, cancellationToken).ConfigureAwait(false);
            if (result.Allowed)
            {
                users.Add(candidate);
            }
        }

        return new ListUsersResult(users, _truncated);
    }

    private async ValueTask ExpandAsync(string current, CompiledRelation currentRelation, int depth)
    {
        if (depth >= _maxDepth)
        {
            throw AuthorizationException.ResolutionTooComplex();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_deadline.Passed)
        {
            _truncated = true;
            return;
        }

        if (!_visited.Add((current, currentRelation)))
        {
            return;
        }

        if (Matches(currentRelation.Type, currentRelation.Name))
        {
            AddCandidate($"{current}#{currentRelation.Name}");
        }

        await WalkAsync(currentRelation.Plan, current, currentRelation, depth).ConfigureAwait(false);
    }

    private async ValueTask WalkAsync(PlanNode node, string current, CompiledRelation owner, int depth)
    {
        switch (node)
        {
            case DirectNode:
                foreach (var tuple in await reader.ReadAsync(current, owner.Name, cancellationToken).ConfigureAwait(false))
                {
                    if (!tuple.TryGetParsedUser(out var user) || !owner.Admits(tuple, user) || !ConditionHolds(tuple))
                    {
                        continue;
                    }

                    if (user.Kind == UserKind.Userset)
                    {
                        if (Matches(user.Type, user.Relation))
                        {
                            AddCandidate(tuple.User);
                        }

                        await ExpandAsync(user.Object, model.FindRelation(user.Type, user.Relation!)!, depth + 1).ConfigureAwait(false);
                    }
                    else if (Matches(user.Type, null))
                    {
                        AddCandidate(tuple.User);
                    }
                }

                break;
            case ComputedNode computed:
                await ExpandAsync(current, computed.Target, depth + 1).ConfigureAwait(false);
                break;
            case TupleToUsersetNode ttu:
                foreach (var tuple in await reader.ReadAsync(current, ttu.Tupleset.Name, cancellationToken).ConfigureAwait(false))
                {
                    if (tuple.TryGetParsedUser(out var parent)
                        && parent.Kind == UserKind.Object
                        && ttu.Tupleset.Admits(tuple, parent)
                        && ConditionHolds(tuple)
                        && model.FindRelation(parent.Type, ttu.ComputedRelation) is { } target)
                    {
                        await ExpandAsync(tuple.User, target, depth + 1).ConfigureAwait(false);
                    }
                }

                break;
            case UnionNode union:
                foreach (var child in union.Children)
                {
                    await WalkAsync(child, current, owner, depth).ConfigureAwait(false);
                }

                break;
            case IntersectionNode intersection:
                foreach (var child in intersection.Children)
                {
                    await WalkAsync(child, current, owner, depth).ConfigureAwait(false);
                }

                break;
            case DifferenceNode difference:
                await WalkAsync(difference.Base, current, owner, depth).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Unlike Check, ListUsers evaluates every condition it passes and fails the whole request on missing parameters,
    /// as OpenFGA does: a partial user list would silently hide users.
    /// </summary>
    private bool ConditionHolds(RelationshipTuple tuple) =>
        tuple.Condition is not { } condition || ConditionGate.Evaluate(model, tuple, condition, context);

    private bool Matches(string type, string? relationName)
    {
        foreach (var filter in filters)
        {
            if (filter.Type == type && filter.Relation == relationName)
            {
                return true;
            }
        }

        return false;
    }

    private void AddCandidate(string user)
    {
        if (_seenCandidates.Add(user))
        {
            _candidates.Add(user);
        }
    }
}
