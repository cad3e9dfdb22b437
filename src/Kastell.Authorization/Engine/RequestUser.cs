namespace Kastell.Authorization.Engine;

/// <summary>
/// The user of one Check as the evaluator needs it, built without allocating: the strings are the request's own
/// (<see cref="Value"/>) or the model's interned names (<see cref="Type"/>, <see cref="SubjectKind"/>,
/// <see cref="Wildcard"/>), so a Check parses its user without creating substrings or a <see cref="ParsedUser"/>.
/// </summary>
internal readonly struct RequestUser
{
    private RequestUser(UserKind kind, string value, string type, string? relation, int objectLength, string subjectKind, string reachKind, string? wildcard)
    {
        Kind = kind;
        Value = value;
        Type = type;
        Relation = relation;
        ObjectLength = objectLength;
        SubjectKind = subjectKind;
        ReachKind = reachKind;
        Wildcard = wildcard;
    }

    public UserKind Kind { get; }

    /// <summary>The user as written in the request.</summary>
    public string Value { get; }

    public string Type { get; }

    /// <summary>The relation of a userset user (<c>member</c> of <c>group:eng#member</c>).</summary>
    public string? Relation { get; }

    /// <summary>Length of the <c>type:id</c> part of <see cref="Value"/>.</summary>
    public int ObjectLength { get; }

    /// <summary>The type restriction the user needs: <c>user</c>, <c>user:*</c> or <c>group#member</c>.</summary>
    public string SubjectKind { get; }

    /// <summary>The key for reachability pruning (wildcards reach the same users as their type).</summary>
    public string ReachKind { get; }

    /// <summary>For object users: <c>type:*</c>, the wildcard whose tuples also grant them.</summary>
    public string? Wildcard { get; }

    /// <summary>Whether <paramref name="object"/> is the <c>type:id</c> of this user.</summary>
    public bool IsObject(string @object) =>
        @object.Length == ObjectLength && @object.AsSpan().SequenceEqual(Value.AsSpan(0, ObjectLength));

    public static RequestUser From(CompiledModel model, ParsedUser user, string value) =>
        new(user.Kind, value, user.Type, user.Relation, user.Object.Length, user.SubjectKind, user.ReachKind,
            user.Kind == UserKind.Object ? model.WildcardOf(user.Type) ?? user.Type + ":*" : null);

    /// <summary>
    /// Parses <paramref name="value"/> with <see cref="TupleParts.TryParseUser"/>'s rules and resolves it against the
    /// model (known type; known relation for usersets). False for anything else: the caller then takes the slow path,
    /// which reports the precise error.
    /// </summary>
    public static bool TryResolve(CompiledModel model, string value, out RequestUser user)
    {
        user = default;
        var span = value.AsSpan();
        var hash = span.IndexOf('#');
        var objectPart = hash < 0 ? span : span[..hash];
        if (hash >= 0 && !TupleParts.IsName(span[(hash + 1)..]))
        {
            return false;
        }

        var colon = objectPart.IndexOf(':');
        if (colon <= 0 || colon == objectPart.Length - 1 || !TupleParts.IsName(objectPart[..colon]))
        {
            return false;
        }

        if (!model.TryGetType(objectPart[..colon], out var type))
        {
            return false;
        }

        var id = objectPart[(colon + 1)..];
        if (id is "*")
        {
            if (hash >= 0)
            {
                return false;
            }

            user = new RequestUser(UserKind.Wildcard, value, type.Name, null, value.Length, type.Wildcard, type.Name, null);
            return true;
        }

        if (!TupleParts.IsId(id))
        {
            return false;
        }

        if (hash < 0)
        {
            user = new RequestUser(UserKind.Object, value, type.Name, null, value.Length, type.Name, type.Name, type.Wildcard);
            return true;
        }

        if (!type.TryGetRelation(span[(hash + 1)..], out var relation))
        {
            return false;
        }

        user = new RequestUser(UserKind.Userset, value, type.Name, relation.Name, hash, relation.Qualified, relation.Qualified, null);
        return true;
    }
}
