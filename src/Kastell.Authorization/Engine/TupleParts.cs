namespace Kastell.Authorization.Engine;

/// <summary>How a tuple's user is written: <c>type:id</c>, <c>type:*</c> or <c>type:id#relation</c>.</summary>
internal enum UserKind
{
    Object,
    Wildcard,
    Userset,
}

/// <summary>
/// A parsed user, with the strings evaluation needs computed once: <see cref="Object"/> (<c>type:id</c>),
/// <see cref="SubjectKind"/> (the type restriction it needs: <c>user</c>, <c>user:*</c> or <c>group#member</c>) and
/// <see cref="ReachKind"/> (the key for reachability pruning: wildcards reach the same users as their type).
/// </summary>
internal sealed class ParsedUser
{
    public ParsedUser(UserKind kind, string type, string id, string? relation, string? value = null)
    {
        Kind = kind;
        Type = type;
        Id = id;
        Relation = relation;
        Object = kind == UserKind.Userset ? $"{type}:{id}" : value ?? $"{type}:{id}";
        SubjectKind = kind switch
        {
            UserKind.Wildcard => TupleParts.Shared(value ?? type + ":*"),
            UserKind.Userset => TupleParts.Shared($"{type}#{relation}"),
            _ => type,
        };
        ReachKind = kind == UserKind.Userset ? SubjectKind : type;
    }

    public UserKind Kind { get; }

    public string Type { get; }

    public string Id { get; }

    public string? Relation { get; }

    public string Object { get; }

    public string SubjectKind { get; }

    public string ReachKind { get; }
}

/// <summary>Syntax of object and user strings, following OpenFGA's server-side rules (no ':', '#' or whitespace in ids).</summary>
internal static class TupleParts
{
    public static string TypeOf(string @object)
    {
        var colon = @object.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? @object : @object[..colon];
    }

    public static bool TrySplitObject(string? value, out string type, out string id)
    {
        type = id = "";
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            return false;
        }

        type = value[..colon];
        id = value[(colon + 1)..];
        return IsName(type) && IsId(id);
    }

    public static bool TryParseUser(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParsedUser? user)
    {
        user = null;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var hash = value.IndexOf('#', StringComparison.Ordinal);
        var objectPart = hash < 0 ? value : value[..hash];
        var relation = hash < 0 ? null : value[(hash + 1)..];
        if (relation is not null && !IsName(relation))
        {
            return false;
        }

        var colon = objectPart.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == objectPart.Length - 1)
        {
            return false;
        }

        var type = Shared(objectPart[..colon]);
        var id = objectPart[(colon + 1)..];
        if (!IsName(type))
        {
            return false;
        }

        relation = relation is null ? null : Shared(relation);

        if (id == "*")
        {
            if (relation is not null)
            {
                return false;
            }

            user = new ParsedUser(UserKind.Wildcard, type, id, null, value);
            return true;
        }

        if (!IsId(id))
        {
            return false;
        }

        user = new ParsedUser(relation is null ? UserKind.Object : UserKind.Userset, type, id, relation, value);
        return true;
    }

    /// <summary>
    /// The shared instance of a type, relation or subject kind name if a compiled model named it (see
    /// <see cref="ModelNames"/>). A parsed user is cached on its stored tuple, so Check then reads one shared,
    /// cache-resident string per name instead of a separate copy per tuple: on large stores those copies were a cache
    /// miss on every userset and tuple-to-userset step.
    /// </summary>
    internal static string Shared(string name) => ModelNames.Shared(name);

    // Spans and plain loops: validation runs on every Check and must not allocate.
    public static bool IsName(ReadOnlySpan<char> value) =>
        value.Length > 0 && !value.ContainsAny(":#@") && !HasWhiteSpace(value);

    public static bool IsId(ReadOnlySpan<char> value) =>
        value.Length > 0 && !value.ContainsAny(":#") && !HasWhiteSpace(value);

    private static bool HasWhiteSpace(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }
}
