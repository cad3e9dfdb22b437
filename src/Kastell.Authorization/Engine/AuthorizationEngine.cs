using Kastell.Authorization.Conditions;
using Kastell.Authorization.Model;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// The query engine for one authorization model over one tuple store: Check, BatchCheck, ListObjects, ListUsers,
/// Expand, and model-validated writes. The model is compiled once in the constructor; instances are thread-safe.
/// </summary>
public sealed class AuthorizationEngine
{
    private readonly CompiledModel _model;
    private readonly ITupleStore _tuples;
    private readonly AuthorizationEngineOptions _options;

    /// <exception cref="AuthorizationException">2056 when the model references undefined types or relations, or a condition does not compile.</exception>
    public AuthorizationEngine(AuthorizationModel model, ITupleStore tuples, IConditionEvaluator? conditions = null, AuthorizationEngineOptions? options = null)
    {
        _model = new CompiledModel(model, conditions);
        _tuples = tuples;
        _options = options ?? new AuthorizationEngineOptions();
    }

    private AuthorizationEngine(CompiledModel model, ITupleStore tuples, AuthorizationEngineOptions options)
    {
        _model = model;
        _tuples = tuples;
        _options = options;
    }

    public AuthorizationModel Model => _model.Source;

    /// <summary>
    /// An engine for the same model over another tuple store (another tenant's), sharing the compiled model: a host
    /// with one store per tenant compiles its model once and pays nothing per request for it.
    /// </summary>
    public AuthorizationEngine WithTuples(ITupleStore tuples) => new(_model, tuples, _options);

    /// <summary>The same, with other limits (an access review's lists may hold more and take longer than a request's checks).</summary>
    public AuthorizationEngine WithTuples(ITupleStore tuples, AuthorizationEngineOptions options) => new(_model, tuples, options);

    /// <summary>
    /// Throws <see cref="AuthorizationException"/> (2027 invalid_tuple) when <paramref name="tuple"/> does not fit the
    /// model's type restrictions — for a host that stores tuples itself, in the same transaction as the change they
    /// belong to, instead of through <see cref="WriteAsync"/>.
    /// </summary>
    public void ValidateWrite(RelationshipTuple tuple) => TupleValidator.ValidateForWrite(_model, tuple);

    public AuthorizationEngineOptions Options => _options;

    public async ValueTask<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken = default)
    {
        var relation = TupleValidator.ValidateCheckTarget(_model, request.Object, request.Relation);
        var user = TupleValidator.ValidateCheckUser(_model, request.User);
        var reader = ContextualTupleReader.Create(_model, _tuples, request.ContextualTuples);
        return await CheckAsync(reader, request.Object, relation, user, request.Context, request.Explain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Check, and when it allows, every way the user holds the relation (up to
    /// <see cref="AuthorizationEngineOptions.ExplainMaxProofs"/>): for "who has access, and why" views and access
    /// reviews, where the one path Check reports would hide that revoking it leaves access through another.
    /// </summary>
    public async ValueTask<ExplainResult> ExplainAsync(CheckRequest request, CancellationToken cancellationToken = default)
    {
        var relation = TupleValidator.ValidateCheckTarget(_model, request.Object, request.Relation);
        var user = TupleValidator.ValidateCheckUser(_model, request.User);
        var reader = ContextualTupleReader.Create(_model, _tuples, request.ContextualTuples);
        var check = await CheckAsync(reader, request.Object, relation, user, request.Context, explain: false, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return new ExplainResult(false, []);
        }

        var query = new ExplainQuery(_model, reader, user, request.Context, _options, cancellationToken);
        var proofs = await query.RelationAsync(request.Object, relation, 0).ConfigureAwait(false);
        return new ExplainResult(true, proofs) { Truncated = query.Truncated };
    }

    /// <summary>Runs every check; an item's error is reported on that item and does not fail the batch.</summary>
    public async Task<IReadOnlyList<BatchCheckOutcome>> BatchCheckAsync(IReadOnlyList<CheckRequest> requests, CancellationToken cancellationToken = default)
    {
        var outcomes = new BatchCheckOutcome[requests.Count];
        await Parallel.ForAsync(0, requests.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.BatchCheckConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            try
            {
                outcomes[i] = new BatchCheckOutcome(requests[i], await CheckAsync(requests[i], ct).ConfigureAwait(false), null);
            }
            catch (AuthorizationException e)
            {
                outcomes[i] = new BatchCheckOutcome(requests[i], null, e);
            }
        }).ConfigureAwait(false);
        return outcomes;
    }

    public ValueTask<ListObjectsResult> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken = default)
    {
        var relation = TupleValidator.ValidateListTarget(_model, request.Type, request.Relation);
        var user = TupleValidator.ValidateRequestUser(_model, request.User);
        var reader = ContextualTupleReader.Create(_model, _tuples, request.ContextualTuples);
        return new ListObjectsQuery(this, _model, reader, relation, request.User, user, request.Context, cancellationToken).RunAsync();
    }

    public ValueTask<ListUsersResult> ListUsersAsync(ListUsersRequest request, CancellationToken cancellationToken = default)
    {
        if (!TupleParts.TrySplitObject(request.Object, out var type, out _))
        {
            throw TupleValidator.Validation($"invalid 'object' field format: '{request.Object}'");
        }

        var relation = TupleValidator.ValidateListTarget(_model, type, request.Relation);
        foreach (var filter in request.Filters)
        {
            TupleValidator.ValidateUserFilter(_model, filter);
        }

        var reader = ContextualTupleReader.Create(_model, _tuples, request.ContextualTuples);
        return new ListUsersQuery(this, _model, reader, request.Object, relation, request.Filters, request.Context, cancellationToken).RunAsync();
    }

    public ValueTask<ExpandNode> ExpandAsync(string @object, string relation, IReadOnlyList<RelationshipTuple>? contextualTuples = null, CancellationToken cancellationToken = default)
    {
        var compiled = TupleValidator.ValidateCheckTarget(_model, @object, relation);
        var reader = ContextualTupleReader.Create(_model, _tuples, contextualTuples);
        return ExpandQuery.RunAsync(reader, @object, compiled, cancellationToken);
    }

    /// <summary>Validates <paramref name="writes"/> against the model (2027) and applies the batch atomically (see <see cref="ITupleStore.WriteAsync"/>).</summary>
    public ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey>? deletes = null, CancellationToken cancellationToken = default)
    {
        foreach (var tuple in writes)
        {
            TupleValidator.ValidateForWrite(_model, tuple);
        }

        deletes ??= [];
        foreach (var key in deletes)
        {
            TupleValidator.ValidateForDelete(key);
        }

        return _tuples.WriteAsync(writes, deletes, cancellationToken);
    }

    internal ValueTask<CheckResult> CheckAsync(
        ITupleReader reader,
        string @object,
        CompiledRelation relation,
        string userValue,
        ParsedUser user,
        IReadOnlyDictionary<string, object?>? context,
        bool explain,
        CancellationToken cancellationToken) =>
        CheckAsync(reader, @object, relation, RequestUser.From(_model, user, userValue), context, explain, cancellationToken);

    private async ValueTask<CheckResult> CheckAsync(
        ITupleReader reader,
        string @object,
        CompiledRelation relation,
        RequestUser user,
        IReadOnlyDictionary<string, object?>? context,
        bool explain,
        CancellationToken cancellationToken)
    {
        if (explain)
        {
            var explaining = new CheckEvaluator(_model, reader, user, context, _options.MaxResolutionDepth, _options.CheckTimeout, explain: true, cancellationToken);
            var granted = await explaining.ResolveAsync(@object, relation, 0).ConfigureAwait(false) == CheckEvaluator.Outcome.True;
            return new CheckResult(granted) { Path = granted ? explaining.Path : [], DenialReason = granted ? null : explaining.DenialReason };
        }

        // Without an explanation the evaluator is pooled: a Check over the in-memory store then allocates nothing.
        var evaluator = CheckEvaluator.Rent(_model, reader, user, context, _options.MaxResolutionDepth, _options.CheckTimeout, cancellationToken);
        try
        {
            return await evaluator.ResolveAsync(@object, relation, 0).ConfigureAwait(false) == CheckEvaluator.Outcome.True ? Granted : Denied;
        }
        finally
        {
            CheckEvaluator.Return(evaluator);
        }
    }

    private static readonly CheckResult Granted = new(true);
    private static readonly CheckResult Denied = new(false);
}
