namespace Kastell.Authorization.Storage;

/// <summary>
/// Tuples indexed by (object, relation) for forward and userset lookups and by (user, relation, object type) for
/// reverse lookups. Entries are copy-on-write: a published entry is never mutated, so a reader may keep using what it
/// got after the owner's lock is released. Not thread-safe by itself; the owner serialises <see cref="Add"/>/<see cref="Remove"/>.
/// </summary>
internal sealed class TupleIndex
{
    private readonly Dictionary<(string Object, string Relation), ForwardEntry> _forward = [];
    private readonly Dictionary<(string User, string Relation, string ObjectType), RelationshipTuple[]> _reverse = [];

    public int Count { get; private set; }

    public RelationshipTuple? Find(string @object, string relation, string user) =>
        _forward.TryGetValue((@object, relation), out var entry) && entry.ByUser.TryGetValue(user, out var tuple) ? tuple : null;

    public IReadOnlyList<RelationshipTuple> Read(string @object, string relation) =>
        _forward.TryGetValue((@object, relation), out var entry) ? entry.All : [];

    public IReadOnlyList<RelationshipTuple> ReadUsersets(string @object, string relation) =>
        _forward.TryGetValue((@object, relation), out var entry) ? entry.Usersets : [];

    public IReadOnlyList<RelationshipTuple> ReadByUser(string user, string relation, string objectType) =>
        _reverse.TryGetValue((user, relation, objectType), out var tuples) ? tuples : [];

    public IEnumerable<RelationshipTuple> All() => _forward.Values.SelectMany(e => e.All);

    public void Add(RelationshipTuple tuple)
    {
        var key = (tuple.Object, tuple.Relation);
        _forward[key] = _forward.TryGetValue(key, out var entry) ? entry.With(tuple) : ForwardEntry.Of(tuple);
        var reverseKey = (tuple.User, tuple.Relation, ObjectTypeOf(tuple.Object));
        _reverse[reverseKey] = _reverse.TryGetValue(reverseKey, out var tuples) ? [.. tuples, tuple] : [tuple];
        Count++;
    }

    public bool Remove(TupleKey key)
    {
        if (!_forward.TryGetValue((key.Object, key.Relation), out var entry) || !entry.ByUser.ContainsKey(key.User))
        {
            return false;
        }

        var remaining = entry.Without(key.User);
        if (remaining is null)
        {
            _forward.Remove((key.Object, key.Relation));
        }
        else
        {
            _forward[(key.Object, key.Relation)] = remaining;
        }

        var reverseKey = (key.User, key.Relation, ObjectTypeOf(key.Object));
        var reverse = _reverse[reverseKey].Where(t => t.Object != key.Object).ToArray();
        if (reverse.Length == 0)
        {
            _reverse.Remove(reverseKey);
        }
        else
        {
            _reverse[reverseKey] = reverse;
        }

        Count--;
        return true;
    }

    private static string ObjectTypeOf(string @object)
    {
        var colon = @object.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? @object : @object[..colon];
    }

    private sealed class ForwardEntry(Dictionary<string, RelationshipTuple> byUser, RelationshipTuple[] all, RelationshipTuple[] usersets)
    {
        public Dictionary<string, RelationshipTuple> ByUser { get; } = byUser;

        public RelationshipTuple[] All { get; } = all;

        public RelationshipTuple[] Usersets { get; } = usersets;

        public static ForwardEntry Of(RelationshipTuple tuple) =>
            new(new Dictionary<string, RelationshipTuple>(StringComparer.Ordinal) { [tuple.User] = tuple }, [tuple], IsUserset(tuple) ? [tuple] : []);

        public ForwardEntry With(RelationshipTuple tuple)
        {
            var byUser = new Dictionary<string, RelationshipTuple>(ByUser, StringComparer.Ordinal) { [tuple.User] = tuple };
            return new ForwardEntry(byUser, [.. All, tuple], IsUserset(tuple) ? [.. Usersets, tuple] : Usersets);
        }

        public ForwardEntry? Without(string user)
        {
            if (All.Length == 1)
            {
                return null;
            }

            var byUser = new Dictionary<string, RelationshipTuple>(ByUser, StringComparer.Ordinal);
            byUser.Remove(user);
            return new ForwardEntry(byUser, [.. All.Where(t => t.User != user)], [.. Usersets.Where(t => t.User != user)]);
        }

        private static bool IsUserset(RelationshipTuple tuple) => tuple.User.Contains('#', StringComparison.Ordinal);
    }
}
