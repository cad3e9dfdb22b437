namespace Kastell.Authorization.Storage;

/// <summary>
/// A relationship tuple <c>object#relation@user</c>. <see cref="User"/> is an object (<c>user:anne</c>), a wildcard
/// (<c>user:*</c>) or a userset (<c>group:eng#member</c>). A tuple's identity is its <see cref="Key"/>: the condition is
/// payload, so the same key cannot be stored twice with different conditions (as in OpenFGA).
/// </summary>
public sealed record RelationshipTuple(string Object, string Relation, string User, TupleCondition? Condition = null)
{
    // Parsed once per stored tuple instead of once per evaluation: Check's hot path must not allocate per tuple.
    private Engine.ParsedUser? _parsedUser;

    public TupleKey Key => new(Object, Relation, User);

    internal bool TryGetParsedUser([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Engine.ParsedUser? user)
    {
        user = _parsedUser;
        if (user is not null)
        {
            return true;
        }

        if (!Engine.TupleParts.TryParseUser(User, out user))
        {
            return false;
        }

        _parsedUser = user;
        return true;
    }

    /// <summary>Value equality over the four members only (the parse cache is not part of the value).</summary>
    public bool Equals(RelationshipTuple? other) =>
        other is not null && Object == other.Object && Relation == other.Relation && User == other.User && Equals(Condition, other.Condition);

    public override int GetHashCode() => HashCode.Combine(Object, Relation, User, Condition);

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
