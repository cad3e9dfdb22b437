namespace Kastell.Authorization.Storage;

/// <summary>
/// The reads the query engine needs. Every read returns whole tuples (conditions included) and never a tuple that a
/// committed delete removed. Implementations must be safe for concurrent use.
/// </summary>
public interface ITupleReader
{
    /// <summary>The tuple <paramref name="object"/>#<paramref name="relation"/>@<paramref name="user"/>, if stored.</summary>
    ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default);

    /// <summary>Forward lookup: every tuple of <paramref name="object"/>#<paramref name="relation"/>.</summary>
    ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default);

    /// <summary>Userset lookup: the tuples of <paramref name="object"/>#<paramref name="relation"/> whose user is a userset (<c>type:id#relation</c>).</summary>
    ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default);

    /// <summary>Reverse lookup: the tuples with exactly this <paramref name="user"/> and <paramref name="relation"/> on objects of <paramref name="objectType"/>.</summary>
    ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default);
}

/// <summary>A tuple store: the reads plus atomic write batches.</summary>
public interface ITupleStore : ITupleReader
{
    /// <summary>
    /// Applies all <paramref name="deletes"/> and <paramref name="writes"/> atomically, with OpenFGA's semantics: writing a tuple
    /// that exists, deleting one that does not, or naming the same key twice in one batch fails the whole batch
    /// (<see cref="Engine.AuthorizationException"/>) and nothing is applied. Model validation is the caller's job
    /// (<see cref="Engine.AuthorizationEngine.WriteAsync"/>).
    /// </summary>
    ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default);
}
