using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>Which objects of <paramref name="Type"/> does <paramref name="User"/> have <paramref name="Relation"/> on?</summary>
public sealed record ListObjectsRequest(string Type, string Relation, string User)
{
    public IReadOnlyList<RelationshipTuple>? ContextualTuples { get; init; }

    public IReadOnlyDictionary<string, object?>? Context { get; init; }
}

/// <summary>The objects found, deduplicated; <see cref="Truncated"/> when the result limit or the deadline cut the search short.</summary>
public sealed record ListObjectsResult(IReadOnlyList<string> Objects, bool Truncated);

/// <summary>A ListUsers filter: users of <paramref name="Type"/> (objects and the wildcard), or usersets <c>Type#Relation</c>.</summary>
public sealed record UserTypeFilter(string Type, string? Relation = null)
{
    /// <summary>Reads <c>user</c> or <c>group#member</c>.</summary>
    public static UserTypeFilter Parse(string value)
    {
        var hash = value.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? new UserTypeFilter(value) : new UserTypeFilter(value[..hash], value[(hash + 1)..]);
    }

    public override string ToString() => Relation is null ? Type : $"{Type}#{Relation}";
}

/// <summary>Which users matching <paramref name="Filters"/> have <paramref name="Relation"/> on <paramref name="Object"/>?</summary>
public sealed record ListUsersRequest(string Object, string Relation, IReadOnlyList<UserTypeFilter> Filters)
{
    public IReadOnlyList<RelationshipTuple>? ContextualTuples { get; init; }

    public IReadOnlyDictionary<string, object?>? Context { get; init; }
}

/// <summary>The users found (<c>user:anne</c>, <c>user:*</c>, <c>group:eng#member</c>), deduplicated.</summary>
public sealed record ListUsersResult(IReadOnlyList<string> Users, bool Truncated);
