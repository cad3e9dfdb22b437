using Kastell.Authorization.Storage;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>
/// <see cref="ITupleBatchReader.ReadObjectsAsync"/> answered from an in-memory store's single reads, relation by
/// relation, for tests of the request's reads without a database (the EF store's own query is tested against its
/// single reads in the authorization tests).
/// </summary>
internal static class ObjectReads
{
    public static async ValueTask<IReadOnlyList<RelationshipTuple>> AnswerAsync(
        ITupleReader store, IReadOnlyCollection<string> relations, IReadOnlyCollection<string> objects, IReadOnlyCollection<string> users,
        IReadOnlyCollection<string>? links, CancellationToken cancellationToken)
    {
        var found = new List<RelationshipTuple>();
        foreach (var @object in objects)
        {
            foreach (var relation in relations)
            {
                found.AddRange((await store.ReadAsync(@object, relation, cancellationToken)).Where(t =>
                    users.Contains(t.User) || (links is not null && (t.User.Contains('#', StringComparison.Ordinal) || links.Contains(t.Relation)))));
            }
        }

        return found;
    }
}
