using Kastell.Authorization.Engine;

namespace Kastell.Authorization.Storage;

/// <summary>OpenFGA's rules for a write batch that every store applies the same way, with OpenFGA's codes and wording.</summary>
internal static class WriteBatchRules
{
    /// <summary>A key may appear only once in a batch, across writes and deletes.</summary>
    public static void RejectDuplicates(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes)
    {
        var seen = new HashSet<TupleKey>(writes.Count + deletes.Count);
        foreach (var key in writes.Select(w => w.Key).Concat(deletes))
        {
            if (!seen.Add(key))
            {
                throw new AuthorizationException(
                    AuthorizationErrorCode.CannotAllowDuplicateTuplesInOneRequest,
                    $"duplicate tuple in write: user: '{key.User}', relation: '{key.Relation}', object: '{key.Object}'");
            }
        }
    }

    public static AuthorizationException ExistingTuple(TupleKey key) => new(
        AuthorizationErrorCode.WriteFailedDueToInvalidInput,
        $"cannot write a tuple which already exists: user: '{key.User}', relation: '{key.Relation}', object: '{key.Object}': invalid write input");

    public static AuthorizationException MissingTuple(TupleKey key) => new(
        AuthorizationErrorCode.WriteFailedDueToInvalidInput,
        $"cannot delete a tuple which does not exist: user: '{key.User}', relation: '{key.Relation}', object: '{key.Object}': invalid write input");
}
