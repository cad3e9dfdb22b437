namespace Kastell.Authorization.Storage;

/// <summary>
/// A one-hash Bloom filter over the hash codes of the stored tuple keys. Most exact-tuple reads of a Check find
/// nothing (a denied Check reads a dozen or more absent keys); on a large store each such read costs the dictionary's
/// bucket and entry, two cache misses in arrays of megabytes. This bit array (8 to 16 bits per key: 256 KB for 100 k
/// tuples) stays in the cache and answers "absent" for 88–94 % of those reads. It never answers "absent" for a stored
/// key: every added key sets its bit, bits are cleared only by <see cref="Rebuild"/> from the keys still stored, and
/// removing a key leaves its bit set (a false "maybe", which the dictionary then answers). Not thread-safe by itself:
/// like <see cref="TupleIndex"/>, its owner serialises changes against reads.
/// </summary>
internal sealed class AbsentKeyFilter
{
    private const int MinimumBits = 1 << 10;
    private const int BitsPerKey = 16;

    private ulong[] _words = new ulong[MinimumBits / 64];
    private int _mask = MinimumBits - 1;

    /// <summary>False only if no stored key has this hash code.</summary>
    public bool MayContain(int hash)
    {
        var bit = hash & _mask;
        return (_words[bit >> 6] & (1UL << bit)) != 0;
    }

    /// <summary>Whether <paramref name="keys"/> keys would leave fewer than half the intended bits per key: then <see cref="Rebuild"/> first.</summary>
    public bool IsTooSmallFor(int keys) => _mask + 1L < MaximumBits && (long)keys * (BitsPerKey / 2) > _mask + 1L;

    private const long MaximumBits = 1L << 30;

    /// <summary>A filter sized for <paramref name="capacity"/> keys holding exactly <paramref name="keys"/>.</summary>
    public void Rebuild(int capacity, IEnumerable<int> keys)
    {
        var bits = (int)Math.Min(MaximumBits, Math.Max(MinimumBits, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(int.MaxValue / BitsPerKey, capacity) * (uint)BitsPerKey)));
        // Filled aside and swapped in whole: a failure halfway must not leave a filter that denies stored keys.
        var words = new ulong[bits / 64];
        var mask = bits - 1;
        foreach (var hash in keys)
        {
            var bit = hash & mask;
            words[bit >> 6] |= 1UL << bit;
        }

        _words = words;
        _mask = mask;
    }

    /// <summary>Records the hash code of a key about to be stored.</summary>
    public void Set(int hash)
    {
        var bit = hash & _mask;
        _words[bit >> 6] |= 1UL << bit;
    }
}
