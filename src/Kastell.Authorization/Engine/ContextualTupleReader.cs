using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// The store as one request sees it: stored tuples plus the request's contextual tuples. Lists are only merged (and
/// allocated) when a contextual tuple shares the key, so requests without contextual tuples read the store directly.
/// </summary>
internal sealed class ContextualTupleReader : ITupleReader
{
    private readonly ITupleReader _store;
    private readonly TupleIndex _contextual = new();

    private ContextualTupleReader(ITupleReader store) => _store = store;

    /// <summary>Whether the tuples behind the contextual ones are in memory (reads never wait).</summary>
    public bool ReadsInMemory => _store is InMemoryTupleStore;

    /// <summary>Validates the contextual tuples (2027) and returns the reader the request must use.</summary>
    public static ITupleReader Create(CompiledModel model, ITupleReader store, IReadOnlyList<RelationshipTuple>? contextualTuples)
    {
        if (contextualTuples is null || contextualTuples.Count == 0)
        {
            return store;
        }

        var reader = new ContextualTupleReader(store);
        foreach (var tuple in contextualTuples)
        {
            TupleValidator.ValidateForWrite(model, tuple);
            if (reader._contextual.Find(tuple.Object, tuple.Relation, tuple.User) is null)
            {
                reader._contextual.Add(tuple);
            }
        }

        return reader;
    }

    public async ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default) =>
        _contextual.Find(@object, relation, user) ?? await _store.ReadTupleAsync(@object, relation, user, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        Merge(_contextual.Read(@object, relation), await _store.ReadAsync(@object, relation, cancellationToken).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        Merge(_contextual.ReadUsersets(@object, relation), await _store.ReadUsersetTuplesAsync(@object, relation, cancellationToken).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
        Merge(_contextual.ReadByUser(user, relation, objectType), await _store.ReadByUserAsync(user, relation, objectType, cancellationToken).ConfigureAwait(false));

    /// <summary>Contextual tuples win over a stored tuple with the same key (their condition is the one the caller means).</summary>
    private static IReadOnlyList<RelationshipTuple> Merge(IReadOnlyList<RelationshipTuple> contextual, IReadOnlyList<RelationshipTuple> stored)
    {
        if (contextual.Count == 0)
        {
            return stored;
        }

        if (stored.Count == 0)
        {
            return contextual;
        }

        var keys = contextual.Select(t => t.Key).ToHashSet();
        return [.. contextual, .. stored.Where(t => !keys.Contains(t.Key))];
    }
}
