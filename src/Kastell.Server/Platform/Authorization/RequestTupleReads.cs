using System.Collections.Concurrent;
using Kastell.Authorization.Storage;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// The request's view of its organization's tuple store: each distinct read goes to the database once per request,
/// however many checks ask it (entering a Space, the page's own permission and the page's questions share most of
/// their reads: the Space's organization, the caller's role there). Nothing outlives the request, so a tuple removed
/// by another process is missing from the very next request's reads, as before; a write through this store, or
/// <see cref="Forget"/> after a write in the caller's unit of work, empties it at once.
/// </summary>
internal sealed class RequestTupleReads(ITupleStore store) : ITupleStore
{
    private readonly ConcurrentDictionary<(char Kind, string A, string B, string C), Task<object?>> _reads = new();

    public async ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default) =>
        (RelationshipTuple?)await ReadOnceAsync(('t', @object, relation, user), async ct => await store.ReadTupleAsync(@object, relation, user, ct), cancellationToken);

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('r', @object, relation, ""), async ct => await store.ReadAsync(@object, relation, ct), cancellationToken))!;

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('u', @object, relation, ""), async ct => await store.ReadUsersetTuplesAsync(@object, relation, ct), cancellationToken))!;

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('b', user, relation, objectType), async ct => await store.ReadByUserAsync(user, relation, objectType, ct), cancellationToken))!;

    public async ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default)
    {
        Forget();
        await store.WriteAsync(writes, deletes, cancellationToken);
        Forget();
    }

    /// <summary>Drops every remembered read (after tuples changed in this request).</summary>
    public void Forget() => _reads.Clear();

    private async Task<object?> ReadOnceAsync((char, string, string, string) key, Func<CancellationToken, Task<object?>> read, CancellationToken cancellationToken)
    {
        var task = _reads.GetOrAdd(key, _ => read(cancellationToken));
        try
        {
            return await task;
        }
        catch
        {
            // A failed or cancelled read is not remembered: the next check asks the database again (and fails closed meanwhile).
            _reads.TryRemove(new KeyValuePair<(char, string, string, string), Task<object?>>(key, task));
            throw;
        }
    }
}
