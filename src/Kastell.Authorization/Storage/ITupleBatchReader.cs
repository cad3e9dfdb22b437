namespace Kastell.Authorization.Storage;

/// <summary>
/// One read for everything a check will ask about a few objects, for a caller that knows which objects the engine
/// reads next (the Space it checks, the teams a Space is granted to): instead of one query per relation and object
/// ("is the user a viewer? an editor? a manager? which teams are viewers? which organization holds it?"), one query
/// returns, for each object, every tuple of the given users and — when asked — every tuple that links the object to
/// others (userset users and the relations the model follows as tuplesets). Optional: a store without it is read
/// question by question. The tuples are exactly those the single reads return.
/// </summary>
public interface ITupleBatchReader
{
    /// <summary>
    /// For each of <paramref name="objects"/>: every stored tuple whose user is one of <paramref name="users"/> (any
    /// relation); and, when <paramref name="links"/> is not null, every tuple whose user is a userset
    /// (<c>type:id#relation</c>) and every tuple whose relation is one of <paramref name="links"/>.
    /// </summary>
    ValueTask<IReadOnlyList<RelationshipTuple>> ReadObjectsAsync(
        IReadOnlyCollection<string> objects, IReadOnlyCollection<string> users, IReadOnlyCollection<string>? links, CancellationToken cancellationToken = default);
}
