using System.Diagnostics;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// Evaluates one Check with OpenFGA's semantics. One instance per request: it carries the request's user, context,
/// depth limit, deadline, the current resolution path (for cycle detection) and, when asked, the explanation.
/// </summary>
/// <remarks>
/// Errors follow OpenFGA's rules for set operations: a union is true when any operand is true even if another failed,
/// an intersection is false when any operand is false, an exclusion is false when its base is false or its subtrahend
/// true; only otherwise does an operand's error (missing condition parameters, depth exceeded) become the result.
/// </remarks>
internal sealed class CheckEvaluator
{
    /// <summary>Facts established before an evaluation (ListObjects' proven facts).</summary>
    public interface IKnownFacts
    {
        /// <summary>Whether Check of <paramref name="relation"/> on <paramref name="object"/>, reached at <paramref name="depth"/>, is known to be true.</summary>
        bool Holds(string @object, CompiledRelation relation, int depth);
    }

    /// <summary>The result of resolving a node: <see cref="Cycle"/> is a denial that met a cycle (OpenFGA's <c>cycle_detected</c>).</summary>
    public enum Outcome : byte
    {
        False,
        True,
        Cycle,
    }

    private const int MemoAfterEvaluations = 64;

    /// <summary>A pooled evaluator keeps a memo up to this size; a larger one (a pathological check) is let go.</summary>
    private const int PooledMemoLimit = 1024;

    /// <summary>
    /// Over the in-memory store the clock is read on every this many resolutions (reading it costs as much as a small
    /// step there); over a database every resolution may wait for queries, so it is read on each.
    /// </summary>
    private const int InMemoryDeadlineCheckInterval = 8;

    private int _deadlineCheckInterval;

    /// <summary>
    /// One idle evaluator per thread: a Check takes it (or makes one), and gives it back when done, so a Check allocates
    /// no evaluator, stack or memo. Taking it empties the slot, so a nested or concurrent Check on the same thread gets
    /// its own; one that resumed on another thread after an await gives it back there, which is just as good.
    /// </summary>
    [ThreadStatic]
    private static CheckEvaluator? t_idle;

    private CompiledModel _model;
    private ITupleReader _reader;
    private IReadOnlyDictionary<string, object?>? _context;
    private RequestUser _user;
    private int _maxDepth;
    private TimeSpan _timeout;
    private long _deadline;
    private int _untilDeadlineCheck;
    private CancellationToken _cancellationToken;
    private (string Object, CompiledRelation Relation)[] _stack = new (string, CompiledRelation)[8];
    private int _stackCount;
    private int _cycleCuts;
    private int _evaluations;
    private Dictionary<MemoKey, Outcome>? _memo;
    private List<string>? _path;
    private List<string>? _notes;
    private IKnownFacts? _known;
    private (string Object, CompiledRelation Relation, ExpansionEdge Edge)? _hint;

    public CheckEvaluator(
        CompiledModel model,
        ITupleReader reader,
        string user,
        ParsedUser parsedUser,
        IReadOnlyDictionary<string, object?>? context,
        int maxDepth,
        TimeSpan timeout,
        bool explain,
        CancellationToken cancellationToken)
        : this(model, reader, RequestUser.From(model, parsedUser, user), context, maxDepth, timeout, explain, cancellationToken)
    {
    }

    public CheckEvaluator(
        CompiledModel model,
        ITupleReader reader,
        RequestUser user,
        IReadOnlyDictionary<string, object?>? context,
        int maxDepth,
        TimeSpan timeout,
        bool explain,
        CancellationToken cancellationToken)
    {
        Start(model, reader, user, context, maxDepth, timeout, cancellationToken);
        if (explain)
        {
            _path = [];
            _notes = [];
        }
    }

    /// <summary>An evaluator for one Check without explanation, from this thread's pool; give it back with <see cref="Return"/>.</summary>
    public static CheckEvaluator Rent(
        CompiledModel model,
        ITupleReader reader,
        RequestUser user,
        IReadOnlyDictionary<string, object?>? context,
        int maxDepth,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var evaluator = t_idle;
        if (evaluator is null)
        {
            return new CheckEvaluator(model, reader, user, context, maxDepth, timeout, explain: false, cancellationToken);
        }

        t_idle = null;
        evaluator.Start(model, reader, user, context, maxDepth, timeout, cancellationToken);
        return evaluator;
    }

    private static int DeadlineCheckIntervalFor(ITupleReader reader) =>
        reader is InMemoryTupleStore or ContextualTupleReader { ReadsInMemory: true } ? InMemoryDeadlineCheckInterval : 1;

    /// <summary>Gives a rented evaluator back, without the request's references (they must not outlive it).</summary>
    public static void Return(CheckEvaluator evaluator)
    {
        evaluator._model = null!;
        evaluator._reader = null!;
        evaluator._context = null;
        evaluator._cancellationToken = default;
        evaluator._user = default;
        evaluator._known = null;
        evaluator._hint = null;
        Array.Clear(evaluator._stack);
        if (evaluator._memo is { } memo)
        {
            if (memo.Count > PooledMemoLimit)
            {
                evaluator._memo = null;
            }
            else
            {
                memo.Clear();
            }
        }

        t_idle = evaluator;
    }

    /// <summary>Everything one Check sets, for a new evaluator and a pooled one alike.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_model), nameof(_reader))]
    private void Start(CompiledModel model, ITupleReader reader, RequestUser user, IReadOnlyDictionary<string, object?>? context, int maxDepth, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _model = model;
        _reader = reader;
        _deadlineCheckInterval = DeadlineCheckIntervalFor(reader);
        _user = user;
        _context = context;
        _maxDepth = maxDepth;
        _timeout = timeout;
        _cancellationToken = cancellationToken;
        _known = null;
        _hint = null;
        ResetRun();
    }

    /// <summary>A fresh deadline, stack, cycle count and memo for the next resolution.</summary>
    private void ResetRun()
    {
        _deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
        _untilDeadlineCheck = 0;
        _stackCount = 0;
        _cycleCuts = 0;
        _evaluations = 0;
        _memo?.Clear();
    }

    /// <summary>The granting path from the requested object down to the user (explain mode only).</summary>
    public IReadOnlyList<string> Path => _path is null ? [] : Enumerable.Reverse(_path).ToArray();

    public string? DenialReason => _notes is null ? null
        : _notes.Count == 0 ? $"no relationship grants {_user.Value}"
        : string.Join("; ", _notes);

    /// <summary>
    /// ListObjects' short cut: resolves <paramref name="relation"/> on <paramref name="object"/> knowing that
    /// <paramref name="edge"/> holds there when reached at <paramref name="depth"/>, and that every fact <paramref name="known"/>
    /// reports holds at the depth it is reached (so the answer is Check's answer from that depth). Proven leaves count
    /// as true without reading, and a union tries the operand holding the proven leaf first, so usually only the other
    /// operands of an intersection or exclusion are evaluated. Used only for relations off any cycle, where the result
    /// does not depend on the path a full Check would have come from. The evaluator may be reused for the next fact:
    /// each call starts afresh (own deadline, no memo carried over).
    /// </summary>
    public ValueTask<Outcome> ResolveKnowingAsync(string @object, CompiledRelation relation, ExpansionEdge edge, IKnownFacts known, int depth)
    {
        _known = known;
        _hint = (@object, relation, edge);
        ResetRun();
        return ResolveAsync(@object, relation, depth);
    }

    /// <summary>
    /// Check's answer for one node of <paramref name="relation"/>'s plan on <paramref name="object"/>, evaluated afresh
    /// as if reached from the relation itself (Explain decides an exclusion's <c>but not</c> operand with it).
    /// </summary>
    public async ValueTask<Outcome> EvaluateNodeAsync(PlanNode node, string @object, CompiledRelation relation, int depth)
    {
        ResetRun();
        _stack[_stackCount++] = (@object, relation);
        try
        {
            return await EvaluateAsync(node, @object, relation, depth).ConfigureAwait(false);
        }
        finally
        {
            _stackCount--;
        }
    }

    /// <summary>Resolves <paramref name="relation"/> on <paramref name="object"/> for the request's user; <paramref name="depth"/> counts dispatches from the root.</summary>
    public async ValueTask<Outcome> ResolveAsync(string @object, CompiledRelation relation, int depth)
    {
        if (depth >= _maxDepth)
        {
            throw AuthorizationException.ResolutionTooComplex();
        }

        _cancellationToken.ThrowIfCancellationRequested();
        if (--_untilDeadlineCheck < 0)
        {
            _untilDeadlineCheck = _deadlineCheckInterval - 1;
            if (Stopwatch.GetTimestamp() > _deadline)
            {
                throw new AuthorizationException(AuthorizationErrorCode.DeadlineExceeded, "Check exceeded its deadline");
            }
        }

        if (_user.Kind == UserKind.Userset && relation.Name == _user.Relation && _user.IsObject(@object))
        {
            _path?.Add($"{@object}#{relation.Name} (the userset itself)");
            return Outcome.True;
        }

        if (!relation.Reachable.Contains(_user.ReachKind))
        {
            return Outcome.False;
        }

        for (var i = 0; i < _stackCount; i++)
        {
            if (ReferenceEquals(_stack[i].Relation, relation) && _stack[i].Object == @object)
            {
                _cycleCuts++;
                if (_notes is not null)
                {
                    Note($"cycle at {@object}#{relation.Name}");
                }

                return Outcome.Cycle;
            }
        }

        if (_known is not null && _known.Holds(@object, relation, depth))
        {
            return Outcome.True;
        }

        if (_memo is not null && _memo.TryGetValue(new MemoKey(@object, relation), out var known))
        {
            if (known == Outcome.True)
            {
                _path?.Add($"{@object}#{relation.Name} (proven above)");
            }

            return known;
        }

        var cutsBefore = _cycleCuts;
        if (_stackCount == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }

        _stack[_stackCount++] = (@object, relation);
        Outcome result;
        try
        {
            result = await EvaluateAsync(relation.Plan, @object, relation, depth).ConfigureAwait(false);
        }
        finally
        {
            _stackCount--;
        }

        // A result that depended on a cycle being cut short is only valid on this path; anything else is reusable.
        if (cutsBefore == _cycleCuts && ++_evaluations > MemoAfterEvaluations)
        {
            (_memo ??= []).TryAdd(new MemoKey(@object, relation), result);
        }

        return result;
    }

    private bool IsHinted(string @object, CompiledRelation relation) =>
        _hint is { } hint && ReferenceEquals(hint.Relation, relation) && string.Equals(hint.Object, @object, StringComparison.Ordinal);

    private ValueTask<Outcome> EvaluateAsync(PlanNode node, string @object, CompiledRelation relation, int depth) => node switch
    {
        _ when IsHinted(@object, relation) && _hint!.Value.Edge.Proves(node) => ValueTask.FromResult(Outcome.True),
        DirectNode => DirectAsync(@object, relation, depth),
        // Without an explanation there is nothing to add after the computed relation: no async frame of its own.
        ComputedNode computed => _path is null ? ResolveAsync(@object, computed.Target, depth + 1) : ComputedAsync(computed, @object, relation, depth),
        TupleToUsersetNode ttu => TupleToUsersetAsync(ttu, @object, relation, depth),
        UnionNode union => UnionAsync(union, @object, relation, depth),
        IntersectionNode intersection => IntersectionAsync(intersection, @object, relation, depth),
        DifferenceNode difference => DifferenceAsync(difference, @object, relation, depth),
        _ => throw new InvalidOperationException($"unknown plan node {node.GetType().Name}"),
    };

    private async ValueTask<Outcome> DirectAsync(string @object, CompiledRelation relation, int depth)
    {
        AuthorizationException? error = null;
        var tuple = await _reader.ReadTupleAsync(@object, relation.Name, _user.Value, _cancellationToken).ConfigureAwait(false);
        if (tuple is not null && relation.Admits(tuple, _user.SubjectKind) && ConditionHolds(tuple, ref error))
        {
            _path?.Add(tuple.ToString());
            return Outcome.True;
        }

        if (_user.Wildcard is { } wildcard && relation.AdmitsKind(wildcard))
        {
            tuple = await _reader.ReadTupleAsync(@object, relation.Name, wildcard, _cancellationToken).ConfigureAwait(false);
            if (tuple is not null && relation.Admits(tuple, wildcard) && ConditionHolds(tuple, ref error))
            {
                _path?.Add(tuple.ToString());
                return Outcome.True;
            }
        }

        var outcome = Outcome.False;
        if (relation.HasUsersetSubjects)
        {
            var usersets = await _reader.ReadUsersetTuplesAsync(@object, relation.Name, _cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < usersets.Count; i++)
            {
                var candidate = usersets[i];
                // Only a userset user can be the candidate itself (its direct tuple was read above); for other users
                // the comparison would just read one more string per candidate.
                if ((_user.Kind == UserKind.Userset && candidate.User == _user.Value)
                    || !candidate.TryGetParsedUser(out var userset)
                    || userset.Kind != UserKind.Userset
                    || !relation.Admits(candidate, userset)
                    || _model.FindRelation(userset.Type, userset.Relation!) is not { } target
                    || !target.Reachable.Contains(_user.ReachKind)
                    || !ConditionHolds(candidate, ref error))
                {
                    continue;
                }

                try
                {
                    var child = await ResolveAsync(userset.Object, target, depth + 1).ConfigureAwait(false);
                    if (child == Outcome.True)
                    {
                        _path?.Add(candidate.ToString());
                        return Outcome.True;
                    }

                    outcome = Combine(outcome, child);
                }
                catch (AuthorizationException e) when (IsRecoverable(e))
                {
                    error ??= e;
                }
            }
        }

        return error is null ? outcome : throw error;
    }

    private async ValueTask<Outcome> ComputedAsync(ComputedNode node, string @object, CompiledRelation relation, int depth)
    {
        var outcome = await ResolveAsync(@object, node.Target, depth + 1).ConfigureAwait(false);
        if (outcome == Outcome.True)
        {
            _path?.Add($"{@object}#{relation.Name} (via {node.Target.Name})");
        }

        return outcome;
    }

    private async ValueTask<Outcome> TupleToUsersetAsync(TupleToUsersetNode node, string @object, CompiledRelation relation, int depth)
    {
        AuthorizationException? error = null;
        var outcome = Outcome.False;
        var tuples = await _reader.ReadAsync(@object, node.Tupleset.Name, _cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < tuples.Count; i++)
        {
            var tuple = tuples[i];
            if (!tuple.TryGetParsedUser(out var parent)
                || parent.Kind != UserKind.Object
                || !node.Tupleset.Admits(tuple, parent)
                || _model.FindRelation(parent.Type, node.ComputedRelation) is not { } target
                || !ConditionHolds(tuple, ref error))
            {
                continue;
            }

            try
            {
                var child = await ResolveAsync(tuple.User, target, depth + 1).ConfigureAwait(false);
                if (child == Outcome.True)
                {
                    _path?.Add(tuple.ToString());
                    _path?.Add($"{@object}#{relation.Name} (via {node.ComputedRelation} from {node.Tupleset.Name})");
                    return Outcome.True;
                }

                outcome = Combine(outcome, child);
            }
            catch (AuthorizationException e) when (IsRecoverable(e))
            {
                error ??= e;
            }
        }

        return error is null ? outcome : throw error;
    }

    private async ValueTask<Outcome> UnionAsync(UnionNode node, string @object, CompiledRelation relation, int depth)
    {
        if (IsHinted(@object, relation))
        {
            // The operand holding the proven leaf first: it is true, and the others need not be read.
            // An operand that fails here is evaluated again below, where its error is handled as usual.
            foreach (var child in node.Children)
            {
                try
                {
                    if (_hint!.Value.Edge.ProvesWithin(child) && await EvaluateAsync(child, @object, relation, depth).ConfigureAwait(false) == Outcome.True)
                    {
                        return Outcome.True;
                    }
                }
                catch (AuthorizationException e) when (IsRecoverable(e))
                {
                }
            }
        }

        AuthorizationException? error = null;
        var outcome = Outcome.False;
        foreach (var child in node.Children)
        {
            try
            {
                var result = await EvaluateAsync(child, @object, relation, depth).ConfigureAwait(false);
                if (result == Outcome.True)
                {
                    return Outcome.True;
                }

                outcome = Combine(outcome, result);
            }
            catch (AuthorizationException e) when (IsRecoverable(e))
            {
                error ??= e;
            }
        }

        return error is null ? outcome : throw error;
    }

    private async ValueTask<Outcome> IntersectionAsync(IntersectionNode node, string @object, CompiledRelation relation, int depth)
    {
        AuthorizationException? error = null;
        var pathMark = _path?.Count ?? 0;
        foreach (var child in node.Children)
        {
            try
            {
                var result = await EvaluateAsync(child, @object, relation, depth).ConfigureAwait(false);
                if (result != Outcome.True)
                {
                    // The operands that held are not a granting path on their own.
                    if (_path is not null)
                    {
                        _path.RemoveRange(pathMark, _path.Count - pathMark);
                        Note($"{@object}#{relation.Name}: an operand of the intersection does not hold");
                    }

                    return result;
                }
            }
            catch (AuthorizationException e) when (IsRecoverable(e))
            {
                error ??= e;
            }
        }

        return error is null ? Outcome.True : throw error;
    }

    /// <summary>
    /// <c>base but not subtract</c>. As in OpenFGA, a subtrahend that ran into a cycle denies (its truth is unknown,
    /// and denying is the safe answer), so <c>viewer: [user] but not restricted</c> with a cyclic <c>restricted</c> is false.
    /// </summary>
    private async ValueTask<Outcome> DifferenceAsync(DifferenceNode node, string @object, CompiledRelation relation, int depth)
    {
        AuthorizationException? baseError = null;
        var pathMark = _path?.Count ?? 0;
        try
        {
            var result = await EvaluateAsync(node.Base, @object, relation, depth).ConfigureAwait(false);
            if (result != Outcome.True)
            {
                return result;
            }
        }
        catch (AuthorizationException e) when (IsRecoverable(e))
        {
            baseError = e;
        }

        var basePathEnd = _path?.Count ?? 0;
        AuthorizationException? subtractError = null;
        try
        {
            var result = await EvaluateAsync(node.Subtract, @object, relation, depth).ConfigureAwait(false);
            if (result != Outcome.False)
            {
                if (_path is not null)
                {
                    _path.RemoveRange(pathMark, _path.Count - pathMark);
                    Note(result == Outcome.True
                        ? $"{@object}#{relation.Name}: excluded by the 'but not' operand"
                        : $"{@object}#{relation.Name}: the 'but not' operand runs into a cycle");
                }

                return result == Outcome.True ? Outcome.False : Outcome.Cycle;
            }
        }
        catch (AuthorizationException e) when (IsRecoverable(e))
        {
            subtractError = e;
        }

        _path?.RemoveRange(basePathEnd, _path.Count - basePathEnd);
        return (baseError ?? subtractError) is { } error ? throw error : Outcome.True;
    }

    /// <summary>Two non-granting outcomes: a cycle anywhere is remembered, as OpenFGA's <c>cycle_detected</c> flag.</summary>
    private static Outcome Combine(Outcome a, Outcome b) => a == Outcome.Cycle || b == Outcome.Cycle ? Outcome.Cycle : Outcome.False;

    /// <summary>Evaluates the tuple's condition; a failure is kept in <paramref name="error"/> so a sibling path may still grant.</summary>
    private bool ConditionHolds(RelationshipTuple tuple, ref AuthorizationException? error)
    {
        if (tuple.Condition is not { } condition)
        {
            return true;
        }

        try
        {
            if (ConditionGate.Evaluate(_model, tuple, condition, _context))
            {
                return true;
            }

            if (_notes is not null)
            {
                Note($"condition '{condition.Name}' of {tuple.Object}#{tuple.Relation}@{tuple.User} not met");
            }

            return false;
        }
        catch (AuthorizationException e)
        {
            error ??= e;
            return false;
        }
    }

    private void Note(string note)
    {
        if (_notes is { Count: < 3 } && !_notes.Contains(note))
        {
            _notes.Add(note);
        }
    }

    private static bool IsRecoverable(AuthorizationException e) => e.Code != AuthorizationErrorCode.DeadlineExceeded;

    /// <summary>Memo key: a non-generic struct with the relation's hash read once (a value tuple of a string and a class runs the slower shared generic code).</summary>
    private readonly struct MemoKey(string @object, CompiledRelation relation) : IEquatable<MemoKey>
    {
        private readonly string _object = @object;
        private readonly CompiledRelation _relation = relation;

        public bool Equals(MemoKey other) => ReferenceEquals(_relation, other._relation) && string.Equals(_object, other._object, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is MemoKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_object.GetHashCode(StringComparison.Ordinal), _relation.IdentityHash);
    }
}
