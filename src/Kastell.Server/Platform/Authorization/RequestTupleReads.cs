using System.Collections.Concurrent;
using Kastell.Authorization.Model;
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
/// <para>
/// A check asks many small questions of the same few objects: of a Space "is the user a viewer? an editor? a
/// manager? which teams are viewers, editors, managers? which organization holds it?", of its organization "owner?
/// admin? auditor? member? which teams are admins?". When the store reads whole objects
/// (<see cref="ITupleBatchReader"/>), the first question about an object reads, in one query, every tuple of the
/// asking user on it and every tuple linking it to others (userset users, and the relations the model follows as
/// tuplesets: <see cref="LinksOf"/>); the other questions about that object are answered from that read. A tuple of
/// another user on the object (the organization's other members, the Space's other editors) is never read for it.
/// </para>
/// <para>
/// A relation granted to many usersets (a Space given to twenty teams) makes a check ask the same of every one of
/// them in turn; the first question about one of the teams a userset read returned reads all of those teams not read
/// yet in the same way, in one query (up to <see cref="MaxBatch"/>). The check itself is unchanged and still asks
/// every question it needs; only the number of round trips to the database falls. A failed object read falls back to
/// the single read the question names.
/// </para>
/// </remarks>
internal sealed class RequestTupleReads(ITupleStore store, IReadOnlyDictionary<string, string[]>? links = null) : ITupleStore
{
    /// <summary>The most objects read in one query (bounded parameter lists; the rest are read when asked).</summary>
    internal const int MaxBatch = 100;

    private readonly ITupleBatchReader? _batches = store as ITupleBatchReader;
    private readonly IReadOnlyDictionary<string, string[]> _links = links ?? new Dictionary<string, string[]>();
    private readonly ConcurrentDictionary<(char Kind, string A, string B, string C), Task<object?>> _reads = new();

    /// <summary>What has been read of each object: its links, and which users' tuples.</summary>
    private readonly Dictionary<string, ObjectReads> _objects = new(StringComparer.Ordinal);

    /// <summary>For <c>team:T</c>: every object a userset read returned alongside T (with the same relation).</summary>
    private readonly Dictionary<string, string[]> _siblings = new(StringComparer.Ordinal);

    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private int _generation;

    /// <summary>The relations each type follows as a tupleset (<c>… from organization</c>: <c>space → [organization]</c>).</summary>
    public static IReadOnlyDictionary<string, string[]> LinksOf(AuthorizationModel model)
    {
        static IEnumerable<string> Tuplesets(Userset rewrite) => rewrite switch
        {
            TupleToUserset ttu => [ttu.Tupleset],
            Union union => union.Children.SelectMany(Tuplesets),
            Intersection intersection => intersection.Children.SelectMany(Tuplesets),
            Difference difference => Tuplesets(difference.Base).Concat(Tuplesets(difference.Subtract)),
            _ => [],
        };

        return model.TypeDefinitions.ToDictionary(
            t => t.Name,
            t => t.Relations.SelectMany(r => Tuplesets(r.Rewrite)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);
    }

    public async ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        if (await FromObjectAsync(@object, user, reads => reads.Find(relation, user), cancellationToken) is (true, var tuple))
        {
            return tuple;
        }

        return (RelationshipTuple?)await ReadOnceAsync(('t', @object, relation, user), async ct => await store.ReadTupleAsync(@object, relation, user, ct), cancellationToken);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        if (IsLink(@object, relation) && await FromObjectAsync(@object, null, reads => reads.OfRelation(relation), cancellationToken) is (true, var tuples))
        {
            return tuples;
        }

        return (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('r', @object, relation, ""), async ct => await store.ReadAsync(@object, relation, ct), cancellationToken))!;
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        var usersets = await FromObjectAsync(@object, null, reads => reads.Usersets(relation), cancellationToken) is (true, var read)
            ? read
            : (IReadOnlyList<RelationshipTuple>)(await ReadOnceAsync(('u', @object, relation, ""), async ct => await store.ReadUsersetTuplesAsync(@object, relation, ct), cancellationToken))!;
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
        lock (_sync)
        {
            _generation++;
            _reads.Clear();
            _objects.Clear();
            _siblings.Clear();
        }
    }

    private bool IsLink(string @object, string relation) =>
        _links.TryGetValue(TypeOf(@object), out var relations) && Array.IndexOf(relations, relation) >= 0;

    /// <summary>
    /// The answer to a question about <paramref name="object"/> from what has been read of it, its links and (when
    /// given) <paramref name="user"/>'s tuples — read now, with the object's siblings, if they were not; not found
    /// when the store cannot read whole objects or the read failed (the caller then asks its single question).
    /// </summary>
    private async ValueTask<(bool Found, T Answer)> FromObjectAsync<T>(string @object, string? user, Func<ObjectReads, T> answer, CancellationToken cancellationToken)
    {
        if (_batches is null)
        {
            return default;
        }

        var users = user is null ? [] : UsersFor(user);
        lock (_sync)
        {
            if (IsKnown(@object, users))
            {
                return (true, answer(_objects[@object]));
            }
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            lock (_sync)
            {
                if (IsKnown(@object, users))
                {
                    return (true, answer(_objects[@object]));
                }
            }

            int generation;
            List<string> objects;
            bool withLinks;
            lock (_sync)
            {
                generation = _generation;
                var candidates = _siblings.TryGetValue(@object, out var siblings) ? siblings.Where(s => s != @object).Take(MaxBatch - 1).Prepend(@object) : [@object];
                objects = [.. candidates.Where(o => !IsKnown(o, users))];
                withLinks = objects.Any(o => !_objects.TryGetValue(o, out var reads) || !reads.HasLinks);
            }

            IReadOnlyList<RelationshipTuple> tuples;
            try
            {
                tuples = await _batches.ReadObjectsAsync(objects, users, withLinks ? LinksFor(objects) : null, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return default;
            }

            lock (_sync)
            {
                if (generation != _generation)
                {
                    return default; // a write in this request made the read stale: ask the single question instead
                }

                var byObject = tuples.ToLookup(t => t.Object, StringComparer.Ordinal);
                foreach (var read in objects)
                {
                    if (!_objects.TryGetValue(read, out var reads))
                    {
                        _objects[read] = reads = new ObjectReads();
                    }

                    reads.Add(byObject[read], users, withLinks);
                }

                // The usersets an object names (a Space's teams, whichever role each holds) are what the check will
                // ask about next: siblings, read together at the first question about one of them.
                if (withLinks)
                {
                    RememberSiblingsLocked(tuples.Where(t => t.User.Contains('#', StringComparison.Ordinal)).ToList());
                }

                return (true, answer(_objects[@object]));
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    private bool IsKnown(string @object, string[] users) =>
        _objects.TryGetValue(@object, out var reads) && reads.HasLinks && users.All(reads.HasUser);

    /// <summary>A user and, for an object user, its type's wildcard (<c>user:*</c>), which the engine may ask next.</summary>
    private static string[] UsersFor(string user)
    {
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 || user.Contains('#', StringComparison.Ordinal) || user.EndsWith(":*", StringComparison.Ordinal) ? [user] : [user, user[..colon] + ":*"];
    }

    /// <summary>The tupleset relations of every type among <paramref name="objects"/>.</summary>
    private string[] LinksFor(List<string> objects) =>
        [.. objects.Select(TypeOf).Distinct(StringComparer.Ordinal).SelectMany(t => _links.TryGetValue(t, out var relations) ? relations : []).Distinct(StringComparer.Ordinal)];

    private static string TypeOf(string @object)
    {
        var colon = @object.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? @object : @object[..colon];
    }

    /// <summary>The usersets of one read, by their object's relation: <c>team:a#member</c>, <c>team:b#member</c> are siblings.</summary>
    private void RememberSiblings(IReadOnlyList<RelationshipTuple> usersets)
    {
        if (_batches is null || usersets.Count < 2)
        {
            return;
        }

        lock (_sync)
        {
            RememberSiblingsLocked(usersets);
        }
    }

    private void RememberSiblingsLocked(IReadOnlyList<RelationshipTuple> usersets)
    {
        foreach (var group in usersets.Select(t => t.User.Split('#', 2)).Where(u => u.Length == 2).GroupBy(u => u[1], u => u[0], StringComparer.Ordinal))
        {
            var objects = group.Distinct(StringComparer.Ordinal).ToArray();
            if (objects.Length < 2)
            {
                continue;
            }

            foreach (var @object in objects)
            {
                _siblings.TryAdd(@object, objects);
            }
        }
    }

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

    /// <summary>
    /// The tuples read of one object: every tuple linking it to others (once <see cref="HasLinks"/>) and every tuple of
    /// the users in <see cref="HasUser"/>. Only ever asked about what was read, so an absent tuple is truly absent.
    /// </summary>
    private sealed class ObjectReads
    {
        private readonly Dictionary<(string Relation, string User), RelationshipTuple> _tuples = [];
        private readonly HashSet<string> _users = new(StringComparer.Ordinal);

        public bool HasLinks { get; private set; }

        public bool HasUser(string user) => _users.Contains(user);

        public void Add(IEnumerable<RelationshipTuple> tuples, string[] users, bool links)
        {
            foreach (var tuple in tuples)
            {
                _tuples[(tuple.Relation, tuple.User)] = tuple;
            }

            _users.UnionWith(users);
            HasLinks |= links;
        }

        public RelationshipTuple? Find(string relation, string user) => _tuples.GetValueOrDefault((relation, user));

        /// <summary>Every tuple of a tupleset relation (all of them were read with the links).</summary>
        public IReadOnlyList<RelationshipTuple> OfRelation(string relation) =>
            [.. _tuples.Values.Where(t => t.Relation == relation).OrderBy(t => t.User, StringComparer.Ordinal)];

        public IReadOnlyList<RelationshipTuple> Usersets(string relation) =>
            [.. _tuples.Values.Where(t => t.Relation == relation && t.User.Contains('#', StringComparison.Ordinal)).OrderBy(t => t.User, StringComparer.Ordinal)];
    }
}
