using System.Diagnostics;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// Collects the proofs of one relation for one user, following the relation's plan like Check but without stopping at
/// the first granting path: every alternative of a union, every userset and every related object that grants becomes
/// its own proof, an intersection combines its operands' proofs (every combination, up to the limit). Only derivations
/// that bottom out in tuples are produced, and a cycle yields nothing on the path that closes it. An exclusion's
/// <c>but not</c> operand is decided by Check's own evaluator, so its cycle and error rules are Check's.
/// </summary>
internal sealed class ExplainQuery
{
    private readonly CompiledModel _model;
    private readonly ITupleReader _reader;
    private readonly RequestUser _user;
    private readonly IReadOnlyDictionary<string, object?>? _context;
    private readonly int _maxDepth;
    private readonly int _maxProofs;
    private readonly long _deadline;
    private readonly CheckEvaluator _exclusions;
    private readonly CancellationToken _cancellationToken;
    private readonly List<(string Object, CompiledRelation Relation)> _stack = [];

    public ExplainQuery(CompiledModel model, ITupleReader reader, RequestUser user, IReadOnlyDictionary<string, object?>? context, AuthorizationEngineOptions options, CancellationToken cancellationToken)
    {
        _model = model;
        _reader = reader;
        _user = user;
        _context = context;
        _maxDepth = options.MaxResolutionDepth;
        _maxProofs = Math.Max(1, options.ExplainMaxProofs);
        _deadline = Stopwatch.GetTimestamp() + (long)(options.ListTimeout.TotalSeconds * Stopwatch.Frequency);
        _exclusions = new CheckEvaluator(model, reader, user, context, options.MaxResolutionDepth, options.CheckTimeout, explain: false, cancellationToken);
        _cancellationToken = cancellationToken;
    }

    /// <summary>More proofs existed than were collected (the limit or the deadline).</summary>
    public bool Truncated { get; private set; }

    public async ValueTask<List<AccessProof>> RelationAsync(string @object, CompiledRelation relation, int depth)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (depth >= _maxDepth || Stopwatch.GetTimestamp() > _deadline)
        {
            Truncated = true;
            return [];
        }

        if (_user.Kind == UserKind.Userset && relation.Name == _user.Relation && _user.IsObject(@object))
        {
            return [new SameUsersetProof($"{@object}#{relation.Name}")];
        }

        if (!relation.Reachable.Contains(_user.ReachKind) || _stack.Contains((@object, relation)))
        {
            return [];
        }

        _stack.Add((@object, relation));
        try
        {
            return await NodeAsync(relation.Plan, @object, relation, depth).ConfigureAwait(false);
        }
        finally
        {
            _stack.RemoveAt(_stack.Count - 1);
        }
    }

    private ValueTask<List<AccessProof>> NodeAsync(PlanNode node, string @object, CompiledRelation relation, int depth) => node switch
    {
        DirectNode => DirectAsync(@object, relation, depth),
        ComputedNode computed => ComputedAsync(computed, @object, depth),
        TupleToUsersetNode ttu => TupleToUsersetAsync(ttu, @object, depth),
        UnionNode union => UnionAsync(union, @object, relation, depth),
        IntersectionNode intersection => IntersectionAsync(intersection, @object, relation, depth),
        DifferenceNode difference => DifferenceAsync(difference, @object, relation, depth),
        _ => throw new InvalidOperationException($"unknown plan node {node.GetType().Name}"),
    };

    private async ValueTask<List<AccessProof>> DirectAsync(string @object, CompiledRelation relation, int depth)
    {
        var proofs = new List<AccessProof>();
        var tuple = await _reader.ReadTupleAsync(@object, relation.Name, _user.Value, _cancellationToken).ConfigureAwait(false);
        if (tuple is not null && relation.Admits(tuple, _user.SubjectKind) && ConditionHolds(tuple))
        {
            Add(proofs, new TupleProof(tuple));
        }

        if (_user.Wildcard is { } wildcard && relation.AdmitsKind(wildcard))
        {
            tuple = await _reader.ReadTupleAsync(@object, relation.Name, wildcard, _cancellationToken).ConfigureAwait(false);
            if (tuple is not null && relation.Admits(tuple, wildcard) && ConditionHolds(tuple))
            {
                Add(proofs, new TupleProof(tuple));
            }
        }

        if (!relation.HasUsersetSubjects)
        {
            return proofs;
        }

        foreach (var candidate in await _reader.ReadUsersetTuplesAsync(@object, relation.Name, _cancellationToken).ConfigureAwait(false))
        {
            if ((_user.Kind == UserKind.Userset && candidate.User == _user.Value)
                || !candidate.TryGetParsedUser(out var userset)
                || userset.Kind != UserKind.Userset
                || !relation.Admits(candidate, userset)
                || _model.FindRelation(userset.Type, userset.Relation!) is not { } target
                || !ConditionHolds(candidate))
            {
                continue;
            }

            foreach (var membership in await RelationAsync(userset.Object, target, depth + 1).ConfigureAwait(false))
            {
                Add(proofs, new UsersetProof(candidate, membership));
            }
        }

        return proofs;
    }

    private async ValueTask<List<AccessProof>> ComputedAsync(ComputedNode node, string @object, int depth) =>
        [.. (await RelationAsync(@object, node.Target, depth + 1).ConfigureAwait(false)).Select(p => new ComputedProof(@object, node.Target.Name, p))];

    private async ValueTask<List<AccessProof>> TupleToUsersetAsync(TupleToUsersetNode node, string @object, int depth)
    {
        var proofs = new List<AccessProof>();
        foreach (var tuple in await _reader.ReadAsync(@object, node.Tupleset.Name, _cancellationToken).ConfigureAwait(false))
        {
            if (!tuple.TryGetParsedUser(out var parent)
                || parent.Kind != UserKind.Object
                || !node.Tupleset.Admits(tuple, parent)
                || _model.FindRelation(parent.Type, node.ComputedRelation) is not { } target
                || !ConditionHolds(tuple))
            {
                continue;
            }

            foreach (var source in await RelationAsync(tuple.User, target, depth + 1).ConfigureAwait(false))
            {
                Add(proofs, new LinkProof(tuple, node.ComputedRelation, source));
            }
        }

        return proofs;
    }

    private async ValueTask<List<AccessProof>> UnionAsync(UnionNode node, string @object, CompiledRelation relation, int depth)
    {
        var proofs = new List<AccessProof>();
        foreach (var child in node.Children)
        {
            foreach (var proof in await NodeAsync(child, @object, relation, depth).ConfigureAwait(false))
            {
                Add(proofs, proof);
            }
        }

        return proofs;
    }

    private async ValueTask<List<AccessProof>> IntersectionAsync(IntersectionNode node, string @object, CompiledRelation relation, int depth)
    {
        List<List<AccessProof>> combinations = [[]];
        foreach (var child in node.Children)
        {
            var operand = await NodeAsync(child, @object, relation, depth).ConfigureAwait(false);
            if (operand.Count == 0)
            {
                return [];
            }

            var next = new List<List<AccessProof>>();
            foreach (var combination in combinations)
            {
                foreach (var proof in operand)
                {
                    if (next.Count == _maxProofs)
                    {
                        Truncated = true;
                        break;
                    }

                    next.Add([.. combination, proof]);
                }
            }

            combinations = next;
        }

        return [.. combinations.Select(c => (AccessProof)new AllProof(c))];
    }

    private async ValueTask<List<AccessProof>> DifferenceAsync(DifferenceNode node, string @object, CompiledRelation relation, int depth)
    {
        var proofs = await NodeAsync(node.Base, @object, relation, depth).ConfigureAwait(false);
        if (proofs.Count == 0)
        {
            return proofs;
        }

        try
        {
            // Check's rule: a subtrahend that holds or runs into a cycle excludes.
            if (await _exclusions.EvaluateNodeAsync(node.Subtract, @object, relation, depth).ConfigureAwait(false) != CheckEvaluator.Outcome.False)
            {
                return [];
            }
        }
        catch (AuthorizationException)
        {
            // Unknown whether the exclusion holds: no proof is offered on this path.
            return [];
        }

        var excluded = Describe(node.Subtract, @object);
        return [.. proofs.Select(p => (AccessProof)new ExceptProof(p, excluded))];
    }

    private static string Describe(PlanNode node, string @object) => node switch
    {
        ComputedNode computed => $"{@object}#{computed.Target.Name}",
        TupleToUsersetNode ttu => $"{ttu.ComputedRelation} from {@object}#{ttu.Tupleset.Name}",
        DirectNode => $"{@object} (direct)",
        _ => $"{@object} (an expression)",
    };

    /// <summary>A condition that cannot be evaluated (a missing parameter) does not hold: the proof would not be one.</summary>
    private bool ConditionHolds(RelationshipTuple tuple)
    {
        if (tuple.Condition is not { } condition)
        {
            return true;
        }

        try
        {
            return ConditionGate.Evaluate(_model, tuple, condition, _context);
        }
        catch (AuthorizationException)
        {
            return false;
        }
    }

    private void Add(List<AccessProof> proofs, AccessProof proof)
    {
        if (proofs.Count < _maxProofs)
        {
            proofs.Add(proof);
        }
        else
        {
            Truncated = true;
        }
    }
}
