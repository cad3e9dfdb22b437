using System.Collections.Concurrent;
using Kastell.Authorization.Storage;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// Remembers the tuple reads of one "who has access" page: listing everyone with access and explaining each of them
/// reads the same few tuples (the Space's organization, the teams, the roles) again for every person and level. Used
/// only for those review queries, never for access decisions (<see cref="Permissions"/> decides over the store itself),
/// and dropped with the request, so a page never shows what was not true during its own request. Reads may run
/// concurrently; writes are not this reader's business.
/// </summary>
internal sealed class ReviewTupleCache(ITupleStore store) : ITupleStore
{
    private readonly ConcurrentDictionary<(string, string, string, string), Task<object?>> _reads = new();

    public async ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default) =>
        (RelationshipTuple?)await Remember(("tuple", @object, relation, user), async () => await store.ReadTupleAsync(@object, relation, user, cancellationToken));

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await Remember(("object", @object, relation, ""), async () => await store.ReadAsync(@object, relation, cancellationToken)))!;

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await Remember(("usersets", @object, relation, ""), async () => await store.ReadUsersetTuplesAsync(@object, relation, cancellationToken)))!;

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await Remember(("user", user, relation, objectType), async () => await store.ReadByUserAsync(user, relation, objectType, cancellationToken)))!;

    public ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The review cache only reads; tuples are written with the change they belong to (RelationshipWriter).");

    /// <summary>One read per key; a failed read is not remembered, so the next caller tries again.</summary>
    private Task<object?> Remember((string, string, string, string) key, Func<Task<object?>> read)
    {
        var task = _reads.GetOrAdd(key, _ => read());
        if (task.IsFaulted || task.IsCanceled)
        {
            _reads.TryRemove(KeyValuePair.Create(key, task));
        }

        return task;
    }
}
