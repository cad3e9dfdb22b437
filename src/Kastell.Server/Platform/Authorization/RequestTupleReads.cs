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
/// <remarks>
/// A relation granted to many usersets (a Space given to twenty teams) makes a check ask two things of every one of
/// them in turn: "is the user a direct member of team T?" and "which teams are nested in T?". When the store reads
/// many objects at once (<see cref="ITupleBatchReader"/>), the first such question about one of the teams a userset
/// read returned is asked of all of those teams not read yet, in one query (up to <see cref="MaxBatch"/>), and the
/// answers are kept like any other read of the request. The check itself is unchanged and still asks every question it
/// needs; only the number of round trips to the database falls.
/// </remarks>
internal sealed class RequestTupleReads(ITupleStore store) : ITupleStore
{
    /// <summary>The most objects read in one query (bounded parameter lists; the rest are read when asked).</summary>
    internal const int MaxBatch = 100;

    private readonly ITupleBatchReader? _batches = store as ITupleBatchReader;
    private readonly ConcurrentDictionary<(char Kind, string A, string B, string C), Task<object?>> _reads = new();

    /// <summary>For <c>(team:T, member)</c>: every object a userset read returned with that relation alongside T.</summary>
    private readonly ConcurrentDictionary<(string Object, string Relation), string[]> _siblings = new();

    public async ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        var key = ('t', @object, relation, user);
        if (!_reads.ContainsKey(key) && _batches is not null && _siblings.TryGetValue((@object, relation), out var siblings))
        {
            await PrefetchAsync(@object, siblings, s => ('t', s, relation, user),
                (objects, ct) => _batches.ReadTuplesAsync(objects, relation, user, ct), (tuples, s) => tuples.FirstOrDefault(t => t.Object == s), cancellationToken);
        }

        return (RelationshipTuple?)await ReadOnceAsync(key, async ct => await store.ReadTupleAsync(@object, relation, user, ct), cancellationToken);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('r', @object, relation, ""), async ct => await store.ReadAsync(@object, relation, ct), cancellationToken))!;

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        var key = ('u', @object, relation, "");
        if (!_reads.ContainsKey(key) && _batches is not null && _siblings.TryGetValue((@object, relation), out var siblings))
        {
            await PrefetchAsync(@object, siblings, s => ('u', s, relation, ""),
                (objects, ct) => _batches.ReadUsersetTuplesAsync(objects, relation, ct), (tuples, s) => (IReadOnlyList<RelationshipTuple>)[.. tuples.Where(t => t.Object == s)], cancellationToken);
        }

        var usersets = (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(key, async ct => await store.ReadUsersetTuplesAsync(@object, relation, ct), cancellationToken))!;
        RememberSiblings(usersets);
        return usersets;
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
        (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('b', user, relation, objectType), async ct => await store.ReadByUserAsync(user, relation, objectType, ct), cancellationToken))!;

    public async ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default)
    {
        Forget();
        await store.WriteAsync(writes, deletes, cancellationToken);
        Forget();
    }

    /// <summary>Drops every remembered read (after tuples changed in this request).</summary>
    public void Forget()
    {
        _reads.Clear();
        _siblings.Clear();
    }

    /// <summary>The usersets of one read, by their object's relation: <c>team:a#member</c>, <c>team:b#member</c> are siblings.</summary>
    private void RememberSiblings(IReadOnlyList<RelationshipTuple> usersets)
    {
        if (_batches is null || usersets.Count < 2)
        {
            return;
        }

        foreach (var group in usersets.Select(t => t.User.Split('#', 2)).Where(u => u.Length == 2).GroupBy(u => u[1], u => u[0], StringComparer.Ordinal))
        {
            var objects = group.Distinct(StringComparer.Ordinal).ToArray();
            if (objects.Length < 2)
            {
                continue;
            }

            foreach (var @object in objects)
            {
                _siblings.TryAdd((@object, group.Key), objects);
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="object"/> and its siblings not read yet in one query, and keeps each one's answer as if it
    /// had been read alone. A failed batch is forgotten: the single read that follows asks the database itself.
    /// </summary>
    private async Task PrefetchAsync(string @object, string[] siblings, Func<string, (char, string, string, string)> keyOf,
        Func<IReadOnlyCollection<string>, CancellationToken, ValueTask<IReadOnlyList<RelationshipTuple>>> read,
        Func<IReadOnlyList<RelationshipTuple>, string, object?> answerFor, CancellationToken cancellationToken)
    {
        var objects = siblings.Where(s => s != @object && !_reads.ContainsKey(keyOf(s))).Take(MaxBatch - 1).Prepend(@object).ToList();
        if (objects.Count < 2)
        {
            return;
        }

        var batch = read(objects, cancellationToken).AsTask();
        var added = new List<((char, string, string, string) Key, Task<object?> Answer)>();
        foreach (var sibling in objects)
        {
            var answer = AnswerAsync(batch, sibling, answerFor);
            if (_reads.TryAdd(keyOf(sibling), answer))
            {
                added.Add((keyOf(sibling), answer));
            }
        }

        try
        {
            await batch;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            foreach (var (key, answer) in added)
            {
                _reads.TryRemove(new KeyValuePair<(char, string, string, string), Task<object?>>(key, answer));
            }
        }
    }

    private static async Task<object?> AnswerAsync(Task<IReadOnlyList<RelationshipTuple>> batch, string @object, Func<IReadOnlyList<RelationshipTuple>, string, object?> answerFor) =>
        answerFor(await batch, @object);

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
