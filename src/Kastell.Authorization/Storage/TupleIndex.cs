namespace Kastell.Authorization.Storage;

/// <summary>
/// Tuples indexed for the engine's reads: by key for exact lookups, by (object, relation) for forward and userset
/// lookups, and by (user, relation, object type) for reverse lookups. Lists handed out are immutable snapshots
/// (<see cref="TupleSnapshotList"/>), so a reader may keep using them after the owner's lock is released. Not
/// thread-safe by itself: the owner serialises <see cref="Add"/>/<see cref="Remove"/> against reads.
/// </summary>
internal sealed class TupleIndex
{
    private readonly Dictionary<HashedTupleKey, RelationshipTuple> _byKey = [];
    private readonly AbsentKeyFilter _absent = new();
    private readonly Dictionary<ObjectRelation, TupleSnapshotList> _forward = [];
    private readonly Dictionary<ObjectRelation, TupleSnapshotList> _usersets = [];
    private readonly Dictionary<UserRelationType, TupleSnapshotList> _reverse = [];

    public int Count => _byKey.Count;

    public RelationshipTuple? Find(string @object, string relation, string user)
    {
        var key = new HashedTupleKey(new TupleKey(@object, relation, user));
        return _absent.MayContain(key.Hash) ? _byKey.GetValueOrDefault(key) : null;
    }

    public IReadOnlyList<RelationshipTuple> Read(string @object, string relation) =>
        _forward.GetValueOrDefault(new ObjectRelation(@object, relation)) ?? TupleSnapshotList.Empty;

    public IReadOnlyList<RelationshipTuple> ReadUsersets(string @object, string relation) =>
        _usersets.GetValueOrDefault(new ObjectRelation(@object, relation)) ?? TupleSnapshotList.Empty;

    public IReadOnlyList<RelationshipTuple> ReadByUser(string user, string relation, string objectType) =>
        _reverse.GetValueOrDefault(new UserRelationType(user, relation, objectType)) ?? TupleSnapshotList.Empty;

    public IEnumerable<RelationshipTuple> All() => _byKey.Values;

    /// <summary>Adds a tuple whose key is not stored yet (callers check).</summary>
    public void Add(RelationshipTuple tuple)
    {
        var key = new HashedTupleKey(tuple.Key);
        if (_absent.IsTooSmallFor(_byKey.Count + 1))
        {
            // Twice the keys it must hold now, so growing stays amortised O(1) per tuple, like the dictionary's.
            _absent.Rebuild(2 * (_byKey.Count + 1), _byKey.Keys.Select(k => k.Hash));
        }

        _absent.Set(key.Hash);
        _byKey.Add(key, tuple);
        Append(_forward, new ObjectRelation(tuple.Object, tuple.Relation), tuple);
        if (tuple.User.Contains('#', StringComparison.Ordinal))
        {
            Append(_usersets, new ObjectRelation(tuple.Object, tuple.Relation), tuple);
        }

        Append(_reverse, new UserRelationType(tuple.User, tuple.Relation, ObjectTypeOf(tuple.Object)), tuple);
    }

    public bool Remove(TupleKey key)
    {
        if (!_byKey.Remove(new HashedTupleKey(key)))
        {
            return false;
        }

        Remove(_forward, new ObjectRelation(key.Object, key.Relation), t => t.User == key.User);
        Remove(_usersets, new ObjectRelation(key.Object, key.Relation), t => t.User == key.User);
        Remove(_reverse, new UserRelationType(key.User, key.Relation, ObjectTypeOf(key.Object)), t => t.Object == key.Object);
        return true;
    }

    private static void Append<TKey>(Dictionary<TKey, TupleSnapshotList> index, TKey key, RelationshipTuple tuple)
        where TKey : notnull =>
        index[key] = (index.GetValueOrDefault(key) ?? TupleSnapshotList.Empty).Append(tuple);

    private static void Remove<TKey>(Dictionary<TKey, TupleSnapshotList> index, TKey key, Func<RelationshipTuple, bool> match)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            return;
        }

        var remaining = list.Without(match);
        if (remaining.Count == 0)
        {
            index.Remove(key);
        }
        else
        {
            index[key] = remaining;
        }
    }

    private static string ObjectTypeOf(string @object)
    {
        var colon = @object.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? @object : @object[..colon];
    }
}

/// <summary>
/// Keys of the forward and userset indexes. Non-generic structs (like <see cref="TupleKey"/>), so the dictionaries run
/// code specialised for them instead of the shared generic code a value tuple of strings gets.
/// </summary>
internal readonly record struct ObjectRelation(string Object, string Relation);

/// <summary>
/// A tuple key with its hash code computed once: <see cref="TupleIndex.Find"/> needs it for the absent-key filter and the
/// dictionary, and hashing three strings is the larger part of a lookup's own work.
/// </summary>
internal readonly struct HashedTupleKey(TupleKey key) : IEquatable<HashedTupleKey>
{
    public TupleKey Key { get; } = key;

    public int Hash { get; } = key.GetHashCode();

    public bool Equals(HashedTupleKey other) => Hash == other.Hash && Key.Equals(other.Key);

    public override bool Equals(object? obj) => obj is HashedTupleKey other && Equals(other);

    public override int GetHashCode() => Hash;
}

/// <summary>Key of the reverse index.</summary>
internal readonly record struct UserRelationType(string User, string Relation, string ObjectType);
