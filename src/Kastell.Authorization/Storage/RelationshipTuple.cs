namespace Kastell.Authorization.Storage;

/// <summary>
/// A relationship tuple <c>object#relation@user</c>. <see cref="User"/> is an object (<c>user:anne</c>), a wildcard
/// (<c>user:*</c>) or a userset (<c>group:eng#member</c>). A tuple's identity is its <see cref="Key"/>: the condition is
/// payload, so the same key cannot be stored twice with different conditions (as in OpenFGA).
/// </summary>
public sealed record RelationshipTuple(string Object, string Relation, string User, TupleCondition? Condition = null)
{
    public TupleKey Key => new(Object, Relation, User);

    public override string ToString() =>
        Condition is null ? $"{Object}#{Relation}@{User}" : $"{Object}#{Relation}@{User} (with {Condition.Name})";
}

/// <summary>The identity of a tuple: object, relation and user.</summary>
public readonly record struct TupleKey(string Object, string Relation, string User)
{
    public override string ToString() => $"{Object}#{Relation}@{User}";
}

/// <summary>
/// The condition a tuple is written with: the model's condition name and the tuple's own context values
/// (JSON-like values, see <see cref="Conditions.IConditionEvaluator"/>).
/// </summary>
public sealed record TupleCondition(string Name, IReadOnlyDictionary<string, object?>? Context = null);
