namespace Kastell.Authorization.Engine;

/// <summary>How a tuple's user is written: <c>type:id</c>, <c>type:*</c> or <c>type:id#relation</c>.</summary>
internal enum UserKind
{
    Object,
    Wildcard,
    Userset,
}

/// <summary>A parsed user. <see cref="SubjectKind"/> names the type restriction it needs: <c>user</c>, <c>user:*</c> or <c>group#member</c>.</summary>
internal readonly record struct ParsedUser(UserKind Kind, string Type, string Id, string? Relation)
{
    public string Object => $"{Type}:{Id}";

    public string SubjectKind => Kind switch
    {
        UserKind.Wildcard => Type + ":*",
        UserKind.Userset => $"{Type}#{Relation}",
        _ => Type,
    };

    /// <summary>The key used for reachability pruning: wildcards reach the same users as their type.</summary>
    public string ReachKind => Kind == UserKind.Userset ? $"{Type}#{Relation}" : Type;
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

    public static bool TryParseUser(string? value, out ParsedUser user)
    {
        user = default;
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

        var type = objectPart[..colon];
        var id = objectPart[(colon + 1)..];
        if (!IsName(type))
        {
            return false;
        }

        if (id == "*")
        {
            if (relation is not null)
            {
                return false;
            }

            user = new ParsedUser(UserKind.Wildcard, type, id, null);
            return true;
        }

        if (!IsId(id))
        {
            return false;
        }

        user = new ParsedUser(relation is null ? UserKind.Object : UserKind.Userset, type, id, relation);
        return true;
    }

    private static bool IsName(string value) =>
        value.Length > 0 && !value.AsSpan().ContainsAny(":#@") && !value.Any(char.IsWhiteSpace);

    private static bool IsId(string value) =>
        value.Length > 0 && !value.AsSpan().ContainsAny(":#") && !value.Any(char.IsWhiteSpace);
}
