using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// ListObjects as reverse expansion plus verification: starting from the user (and its type's wildcard), follow the
/// reverse index through direct assignments, usersets, computed relations and tuple-to-userset edges to collect every
/// object that could hold the relation, then keep those a Check confirms. The expansion over-approximates
/// (intersections, exclusions and conditions are left to the Check), so the result is exactly Check's answer.
/// </summary>
internal sealed class ListObjectsQuery(
    AuthorizationEngine engine,
    CompiledModel model,
    ITupleReader reader,
    CompiledRelation target,
    string userValue,
    ParsedUser user,
    IReadOnlyDictionary<string, object?>? context,
    CancellationToken cancellationToken)
{
    private readonly HashSet<(string Object, CompiledRelation Relation)> _facts = [];
    private readonly HashSet<string> _subjects = new(StringComparer.Ordinal);
    private readonly Queue<(string Subject, string Kind)> _pendingSubjects = new();
    private readonly Queue<(string Object, CompiledRelation Relation)> _pendingFacts = new();
    private readonly List<string> _candidates = [];
    private readonly ListDeadline _deadline = new(engine.Options.ListTimeout);

    public async ValueTask<ListObjectsResult> RunAsync()
    {
        EnqueueSubject(userValue, user.SubjectKind);
        if (user.Kind == UserKind.Object)
        {
            EnqueueSubject(user.Type + ":*", user.Type + ":*");
        }

        if (user.Kind == UserKind.Userset && model.FindRelation(user.Type, user.Relation!) is { } self)
        {
            AddFact(user.Object, self);
        }

        var truncated = !await ExpandAsync().ConfigureAwait(false);
        var objects = new List<string>();
        foreach (var candidate in _candidates)
        {
            if (objects.Count >= engine.Options.ListObjectsMaxResults || _deadline.Passed)
            {
                truncated = true;
                break;
            }

            var result = await engine.CheckAsync(reader, candidate, target, userValue, user, context, explain: false, cancellationToken).ConfigureAwait(false);
            if (result.Allowed)
            {
                objects.Add(candidate);
            }
        }

        return new ListObjectsResult(objects, truncated);
    }

    /// <summary>Returns false when the deadline stopped the expansion.</summary>
    private async ValueTask<bool> ExpandAsync()
    {
        while (_pendingSubjects.Count > 0 || _pendingFacts.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_deadline.Passed)
            {
                return false;
            }

            if (_pendingFacts.TryDequeue(out var fact))
            {
                await FollowFactAsync(fact.Object, fact.Relation).ConfigureAwait(false);
                continue;
            }

            var (subject, kind) = _pendingSubjects.Dequeue();
            foreach (var relation in model.RelationsAdmitting(kind))
            {
                foreach (var tuple in await reader.ReadByUserAsync(subject, relation.Name, relation.Type, cancellationToken).ConfigureAwait(false))
                {
                    AddFact(tuple.Object, relation);
                }
            }
        }

        return true;
    }

    /// <summary>The user may hold <paramref name="relation"/> on <paramref name="object"/>: find what that implies.</summary>
    private async ValueTask FollowFactAsync(string @object, CompiledRelation relation)
    {
        foreach (var dependent in relation.ComputedDependents)
        {
            AddFact(@object, dependent);
        }

        foreach (var (dependent, tupleset) in relation.TupleToUsersetDependents)
        {
            foreach (var tuple in await reader.ReadByUserAsync(@object, tupleset.Name, tupleset.Type, cancellationToken).ConfigureAwait(false))
            {
                AddFact(tuple.Object, dependent);
            }
        }

        if (relation.UsersetDependents.Count > 0)
        {
            EnqueueSubject($"{@object}#{relation.Name}", relation.Qualified);
        }
    }

    private void AddFact(string @object, CompiledRelation relation)
    {
        if (!_facts.Add((@object, relation)))
        {
            return;
        }

        if (ReferenceEquals(relation, target))
        {
            _candidates.Add(@object);
        }

        _pendingFacts.Enqueue((@object, relation));
    }

    private void EnqueueSubject(string subject, string kind)
    {
        if (_subjects.Add(subject))
        {
            _pendingSubjects.Enqueue((subject, kind));
        }
    }
}
