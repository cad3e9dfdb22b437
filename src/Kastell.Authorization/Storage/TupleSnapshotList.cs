using System.Collections;

namespace Kastell.Authorization.Storage;

/// <summary>
/// An immutable view of the first <see cref="Count"/> tuples of a shared buffer. Appending writes past every existing
/// view's end and returns a new view, so earlier views stay valid without copying: appends are amortised O(1), which
/// keeps loading a huge fan-out (one object with a million users) linear. Only the latest view of a buffer may be
/// appended to; the owning index guarantees that under its write lock.
/// </summary>
internal sealed class TupleSnapshotList : IReadOnlyList<RelationshipTuple>
{
    public static readonly TupleSnapshotList Empty = new([], 0);

    private readonly RelationshipTuple[] _buffer;

    private TupleSnapshotList(RelationshipTuple[] buffer, int count)
    {
        _buffer = buffer;
        Count = count;
    }

    public int Count { get; }

    public RelationshipTuple this[int index] => (uint)index < (uint)Count ? _buffer[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public TupleSnapshotList Append(RelationshipTuple tuple)
    {
        var buffer = _buffer;
        if (Count == buffer.Length)
        {
            buffer = new RelationshipTuple[Math.Max(4, Count * 2)];
            Array.Copy(_buffer, buffer, Count);
        }

        buffer[Count] = tuple;
        return new TupleSnapshotList(buffer, Count + 1);
    }

    /// <summary>A fresh copy without the tuples matching <paramref name="remove"/> (removal is the rare, O(n) case).</summary>
    public TupleSnapshotList Without(Func<RelationshipTuple, bool> remove)
    {
        var kept = this.Where(t => !remove(t)).ToArray();
        return new TupleSnapshotList(kept, kept.Length);
    }

    public IEnumerator<RelationshipTuple> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _buffer[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
