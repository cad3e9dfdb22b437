namespace Kastell.Authorization.Storage;

/// <summary>
/// The reads of <see cref="ITupleReader"/> for many objects of one relation at once, for a caller that knows which
/// objects the engine will ask about next (the teams a Space is granted to, each asked "is the user a member?" and
/// "which teams are nested in it?"): one query instead of one per object. Optional: a store without it is read object
/// by object. Same semantics as the single reads, object by object.
/// </summary>
public interface ITupleBatchReader
{
    /// <summary>The stored tuples <c>object#relation@user</c> for each of <paramref name="objects"/> (an object without one is simply absent).</summary>
    ValueTask<IReadOnlyList<RelationshipTuple>> ReadTuplesAsync(IReadOnlyCollection<string> objects, string relation, string user, CancellationToken cancellationToken = default);

    /// <summary>The userset tuples of <c>object#relation</c> for each of <paramref name="objects"/>.</summary>
    ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(IReadOnlyCollection<string> objects, string relation, CancellationToken cancellationToken = default);
}
