namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>
/// A stored relationship tuple. <see cref="StoreId"/> separates stores (tenants) sharing one table; the key is
/// (store, object, relation, user), so a tuple exists at most once per store whatever its condition.
/// </summary>
public sealed class TupleEntity
{
    public required string StoreId { get; set; }

    /// <summary>The object, <c>type:id</c>.</summary>
    public required string Object { get; set; }

    /// <summary>The object's type, kept separately for reverse lookups ("which documents can anne view").</summary>
    public required string ObjectType { get; set; }

    public required string Relation { get; set; }

    /// <summary>The user: <c>type:id</c>, <c>type:*</c> or <c>type:id#relation</c>.</summary>
    public required string User { get; set; }

    /// <summary>Whether <see cref="User"/> is a userset, so userset lookups need not scan plain users.</summary>
    public bool IsUserset { get; set; }

    public string? ConditionName { get; set; }

    /// <summary>The condition's own context as a JSON object.</summary>
    public string? ConditionContext { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
