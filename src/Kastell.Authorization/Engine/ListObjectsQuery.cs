using System.Runtime.InteropServices;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// ListObjects as reverse expansion: starting from the user (and its type's wildcard), follow the reverse index through
/// direct assignments, usersets, computed relations and tuple-to-userset edges to every object that could hold the
/// relation. The expansion proves facts as it goes, so most objects need no Check:
/// <list type="bullet">
/// <item>Every proven fact carries its <em>slack</em>: the greatest depth (dispatches from the requested object) at which
/// a Check reaching the fact is known to be true. The user's own tuples have slack <c>MaxResolutionDepth - 1</c>; each
/// step (computed relation, tuple-to-userset, userset) costs one. Facts with a negative slack are not proven, so a
/// proof never hides a Check that fails on the depth limit.</item>
/// <item>A step is proven when its source fact is proven and the tuple it follows has no condition and fits the type
/// restrictions (as Check requires; every tuple of one reverse-index read has the same user, so the restriction is
/// looked up once per read); a proven step into a leaf that sits under unions only proves the relation.</item>
/// <item>A proven step into an intersection or exclusion (of a relation off any cycle) evaluates only what is left:
/// the other operands, starting at the step's slack (at most half the depth limit), with a proven fact counting as
/// true only where it is reached within its own slack. The evaluation is then Check's own answer from that depth: true
/// proves the fact with that depth as its slack (a premise like any other), false refutes it.</item>
/// <item>Everything else (conditions, cycles, userset requests) stays a possibility, is still followed as before, and
/// is settled by a full Check at the end.</item>
/// </list>
/// The expansion over-approximates, and each result is either proven or confirmed by Check, so the result is exactly
/// Check's answer.
/// </summary>
internal sealed class ListObjectsQuery(
    AuthorizationEngine engine,
    CompiledModel model,
    ITupleReader reader,
    CompiledRelation target,
    string userValue,
    ParsedUser user,
    IReadOnlyDictionary<string, object?>? context,
    CancellationToken cancellationToken) : CheckEvaluator.IKnownFacts
{
    private readonly Dictionary<FactKey, Fact> _facts = [];
    private readonly Dictionary<string, Subject> _subjects = new(StringComparer.Ordinal);
    private readonly Queue<Subject> _pendingSubjects = new();
    private readonly Queue<Fact> _pendingFacts = new();
    private readonly Queue<(Fact Fact, ExpansionEdge Edge, int Slack)> _pendingEvaluations = new();
    private readonly List<Fact> _candidates = [];
    private readonly ListDeadline _deadline = new(engine.Options.ListTimeout);
    private CheckEvaluator? _evaluator;

    /// <summary>
    /// Evaluations of the rest of an intersection or exclusion start no deeper than this, so they have half the depth
    /// limit to explore (starting right at the step's slack would leave a fact reached by the user's own tuple no room
    /// for even one dispatch, and an exception per fact); the fact's slack is then at most this depth.
    /// </summary>
    private int EvaluationDepth => engine.Options.MaxResolutionDepth / 2;

    /// <summary>Userset users (<c>group:eng#member</c>) are matched by Check's own rules (the userset contains itself); no short cuts.</summary>
    private bool CanProve => user.Kind != UserKind.Userset;

    public async ValueTask<ListObjectsResult> RunAsync()
    {
        // The user's own tuples hold at any depth Check can reach: slack MaxResolutionDepth - 1, one less than the subject's.
        var userSlack = engine.Options.MaxResolutionDepth;
        EnqueueSubject(userValue, user.SubjectKind, proven: CanProve, userSlack);
        if (user.Kind == UserKind.Object)
        {
            EnqueueSubject(user.Type + ":*", user.Type + ":*", proven: CanProve, userSlack);
        }

        if (user.Kind == UserKind.Userset && model.FindRelation(user.Type, user.Relation!) is { } self)
        {
            AddFact(user.Object, self, ExpansionEdge.Direct, proven: false, slack: -1);
        }

        var truncated = !await ExpandAsync().ConfigureAwait(false);
        var objects = new List<string>(Math.Min(_candidates.Count, engine.Options.ListObjectsMaxResults));
        foreach (var candidate in _candidates)
        {
            if (objects.Count >= engine.Options.ListObjectsMaxResults || _deadline.Passed)
            {
                truncated = true;
                break;
            }

            if (candidate.State == FactState.Refuted)
            {
                continue;
            }

            if (candidate.State == FactState.Proven
                || (await engine.CheckAsync(reader, candidate.Object, target, userValue, user, context, explain: false, cancellationToken).ConfigureAwait(false)).Allowed)
            {
                objects.Add(candidate.Object);
            }
        }

        return new ListObjectsResult(objects, truncated);
    }

    /// <summary>Returns false when the deadline stopped the expansion.</summary>
    private async ValueTask<bool> ExpandAsync()
    {
        while (_pendingFacts.Count > 0 || _pendingEvaluations.Count > 0 || _pendingSubjects.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_deadline.Passed)
            {
                return false;
            }

            if (_pendingFacts.TryDequeue(out var fact))
            {
                await FollowFactAsync(fact).ConfigureAwait(false);
            }
            else if (_pendingEvaluations.TryDequeue(out var evaluation))
            {
                await EvaluateAsync(evaluation.Fact, evaluation.Edge, evaluation.Slack).ConfigureAwait(false);
            }
            else
            {
                await FollowSubjectAsync(_pendingSubjects.Dequeue()).ConfigureAwait(false);
            }
        }

        return true;
    }

    private async ValueTask FollowSubjectAsync(Subject subject)
    {
        var proven = subject.Proven && !subject.FollowedProven;
        if (subject.Followed && !proven)
        {
            return;
        }

        subject.Followed = true;
        subject.FollowedProven |= proven;
        foreach (var relation in model.RelationsAdmitting(subject.Kind))
        {
            var admitted = proven && relation.AdmitsWithoutCondition(subject.Kind);
            var tuples = await reader.ReadByUserAsync(subject.Value, relation.Name, relation.Type, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < tuples.Count; i++)
            {
                var tuple = tuples[i];
                AddFact(tuple.Object, relation, ExpansionEdge.Direct, admitted && tuple.Condition is null, subject.Slack - 1);
            }
        }
    }

    /// <summary>The user may hold (or, if proven, holds) the fact's relation on its object: find what that implies.</summary>
    private async ValueTask FollowFactAsync(Fact fact)
    {
        var proven = fact.State == FactState.Proven && !fact.FollowedProven;
        if (fact.State == FactState.Refuted || (fact.Followed && !proven))
        {
            return;
        }

        fact.Followed = true;
        fact.FollowedProven |= proven;
        var (@object, relation) = (fact.Object, fact.Relation);
        foreach (var dependent in relation.ComputedDependents)
        {
            AddFact(@object, dependent, new ExpansionEdge(ExpansionEdgeKind.Computed, relation), proven, fact.Slack - 1);
        }

        foreach (var (dependent, tupleset) in relation.TupleToUsersetDependents)
        {
            var edge = new ExpansionEdge(ExpansionEdgeKind.TupleToUserset, relation, tupleset);
            var admitted = proven && tupleset.AdmitsWithoutCondition(relation.Type);
            var tuples = await reader.ReadByUserAsync(@object, tupleset.Name, tupleset.Type, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < tuples.Count; i++)
            {
                var tuple = tuples[i];
                AddFact(tuple.Object, dependent, edge, admitted && tuple.Condition is null, fact.Slack - 1);
            }
        }

        if (relation.UsersetDependents.Count > 0)
        {
            EnqueueSubject($"{@object}#{relation.Name}", relation.Qualified, proven, fact.Slack);
        }
    }

    /// <summary>
    /// Records that the user may hold <paramref name="relation"/> on <paramref name="object"/>, reached by
    /// <paramref name="edge"/> (proven or not; <paramref name="slack"/> is what the step leaves, see the class summary). A
    /// proven step into a union leaf proves the fact at once; one into an intersection or exclusion queues an
    /// evaluation of the rest.
    /// </summary>
    private void AddFact(string @object, CompiledRelation relation, ExpansionEdge edge, bool proven, int slack)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_facts, new FactKey(@object, relation), out var exists);
        var fact = slot ??= new Fact(@object, relation);
        if (!exists && ReferenceEquals(relation, target))
        {
            _candidates.Add(fact);
        }

        var wasProven = fact.State == FactState.Proven;
        var evaluationQueued = false;
        if (proven && fact.State == FactState.Possible && slack >= 0)
        {
            if (relation.ProvenBy(edge))
            {
                fact.State = FactState.Proven;
                fact.Slack = slack;
            }
            else if (!relation.OnCycle && !fact.Evaluated)
            {
                fact.Evaluated = true;
                evaluationQueued = true;
                _pendingEvaluations.Enqueue((fact, edge, slack));
            }
        }

        // Followed once as a possibility, and once more if it becomes proven (to pass the proof on); a fact nothing
        // depends on (the requested relation, usually) needs no following. A fact waiting for its evaluation is
        // followed after it (once, and not at all if refuted).
        if (!evaluationQueued && (!exists || (!wasProven && fact.State == FactState.Proven)) && HasDependents(relation))
        {
            _pendingFacts.Enqueue(fact);
        }
    }

    private static bool HasDependents(CompiledRelation relation) =>
        relation.ComputedDependents.Count > 0 || relation.TupleToUsersetDependents.Count > 0 || relation.UsersetDependents.Count > 0;

    private async ValueTask EvaluateAsync(Fact fact, ExpansionEdge edge, int slack)
    {
        if (fact.State != FactState.Possible)
        {
            return; // proven by another step meanwhile, and queued for following then
        }

        var (outcome, depth) = await EvaluateRestAsync(fact, edge, slack).ConfigureAwait(false);
        if (outcome == CheckEvaluator.Outcome.True)
        {
            // Check's answer from this depth, so from any shallower one too: the fact is proven with that slack.
            fact.State = FactState.Proven;
            fact.Slack = depth;
            if (HasDependents(fact.Relation))
            {
                _pendingFacts.Enqueue(fact);
            }
        }
        else if (outcome == CheckEvaluator.Outcome.False)
        {
            fact.State = FactState.Refuted;
        }
        else if (HasDependents(fact.Relation))
        {
            _pendingFacts.Enqueue(fact); // still a possibility: followed as one
        }
    }

    /// <summary>
    /// Evaluates the fact's relation knowing the step holds, from the step's slack or <see cref="EvaluationDepth"/>,
    /// whichever is shallower. A cycle or an error (the depth limit, the deadline) leaves the fact to the final Check.
    /// </summary>
    private async ValueTask<(CheckEvaluator.Outcome Outcome, int Depth)> EvaluateRestAsync(Fact fact, ExpansionEdge edge, int slack)
    {
        var options = engine.Options;
        _evaluator ??= new CheckEvaluator(model, reader, userValue, user, context, options.MaxResolutionDepth, options.CheckTimeout, explain: false, cancellationToken);
        var depth = Math.Min(slack, EvaluationDepth);
        try
        {
            return (await _evaluator.ResolveKnowingAsync(fact.Object, fact.Relation, edge, this, depth).ConfigureAwait(false), depth);
        }
        catch (AuthorizationException)
        {
            return (CheckEvaluator.Outcome.Cycle, depth);
        }
    }

    bool CheckEvaluator.IKnownFacts.Holds(string @object, CompiledRelation relation, int depth) =>
        _facts.TryGetValue(new FactKey(@object, relation), out var fact) && fact.State == FactState.Proven && depth <= fact.Slack;

    /// <summary>Queues a subject to follow; <paramref name="slack"/> is that of the fact (or user) it stands for.</summary>
    private void EnqueueSubject(string value, string kind, bool proven, int slack)
    {
        if (!_subjects.TryGetValue(value, out var subject))
        {
            subject = new Subject(value, kind);
            _subjects.Add(value, subject);
            _pendingSubjects.Enqueue(subject);
        }

        if (proven && !subject.Proven)
        {
            subject.Proven = true;
            subject.Slack = slack;
            _pendingSubjects.Enqueue(subject);
        }
    }

    /// <summary>
    /// The fact table's key. A non-generic struct, so the dictionary gets code specialised for it (a value tuple of
    /// reference types runs the shared generic code with its comparer lookups), and the relation hashes by a value
    /// computed once instead of asking the runtime for its identity hash on every lookup.
    /// </summary>
    private readonly struct FactKey(string @object, CompiledRelation relation) : IEquatable<FactKey>
    {
        private readonly string _object = @object;
        private readonly CompiledRelation _relation = relation;

        public bool Equals(FactKey other) => ReferenceEquals(_relation, other._relation) && string.Equals(_object, other._object, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is FactKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_object.GetHashCode(StringComparison.Ordinal), _relation.IdentityHash);
    }

    private enum FactState : byte
    {
        /// <summary>Reached, not settled: followed as a possibility, confirmed by Check if it is a result.</summary>
        Possible,
        Proven,

        /// <summary>Evaluated to false: not a result and not followed.</summary>
        Refuted,
    }

    private sealed class Fact(string @object, CompiledRelation relation)
    {
        public string Object { get; } = @object;

        public CompiledRelation Relation { get; } = relation;

        public FactState State { get; set; }

        /// <summary>When proven: the greatest depth at which a Check reaching this fact is known to be true.</summary>
        public int Slack { get; set; }

        public bool Evaluated { get; set; }

        public bool Followed { get; set; }

        public bool FollowedProven { get; set; }
    }

    /// <summary>A user, wildcard or userset (<c>group:eng#member</c>) whose reverse-index tuples are to be followed.</summary>
    private sealed class Subject(string value, string kind)
    {
        public string Value { get; } = value;

        public string Kind { get; } = kind;

        public bool Proven { get; set; }

        public int Slack { get; set; }

        public bool Followed { get; set; }

        public bool FollowedProven { get; set; }
    }
}
