using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>OpenFGA's validation of tuples to write (and contextual tuples) and of query inputs, with its error codes.</summary>
internal static class TupleValidator
{
    /// <summary>A tuple to write or send as contextual tuple must fit the model's type restrictions (2027 invalid_tuple).</summary>
    public static void ValidateForWrite(CompiledModel model, RelationshipTuple tuple)
    {
        if (Reason(model, tuple) is { } reason)
        {
            throw new AuthorizationException(AuthorizationErrorCode.InvalidTuple, $"Invalid tuple '{tuple}'. Reason: {reason}");
        }
    }

    /// <summary>A key to delete only needs to be well-formed: deleting a tuple that an older model allowed must stay possible.</summary>
    public static void ValidateForDelete(TupleKey key)
    {
        if (!TupleParts.TrySplitObject(key.Object, out _, out _) || string.IsNullOrEmpty(key.Relation) || !TupleParts.TryParseUser(key.User, out _))
        {
            throw new AuthorizationException(AuthorizationErrorCode.InvalidTuple, $"Invalid tuple '{key}'. Reason: invalid object, relation or user");
        }
    }

    private static string? Reason(CompiledModel model, RelationshipTuple tuple)
    {
        if (!TupleParts.TrySplitObject(tuple.Object, out var objectType, out _))
        {
            return $"invalid 'object' field format";
        }

        if (string.IsNullOrEmpty(tuple.Relation))
        {
            return "the 'relation' field is malformed";
        }

        if (!TupleParts.TryParseUser(tuple.User, out var user))
        {
            return "the 'user' field is malformed";
        }

        if (!model.HasType(objectType))
        {
            return $"type '{objectType}' not found";
        }

        var relation = model.FindRelation(objectType, tuple.Relation);
        if (relation is null)
        {
            return $"relation '{objectType}#{tuple.Relation}' not found";
        }

        if (!model.HasType(user.Type))
        {
            return $"type '{user.Type}' not found";
        }

        if (user.Kind == UserKind.Userset && model.FindRelation(user.Type, user.Relation!) is null)
        {
            return $"relation '{user.Type}#{user.Relation}' not found";
        }

        if (tuple.Condition is { } condition && !model.IsConditionDefined(condition.Name))
        {
            return $"undefined condition '{condition.Name}'";
        }

        if (!relation.DirectSubjects.TryGetValue(user.SubjectKind, out var conditions))
        {
            return $"type '{user.SubjectKind}' is not an allowed type restriction for '{relation.Qualified}'";
        }

        var conditionName = tuple.Condition?.Name;
        if (!conditions.Contains(conditionName))
        {
            return conditionName is null
                ? $"type '{user.SubjectKind}' is only allowed with a condition for '{relation.Qualified}'"
                : $"invalid condition '{conditionName}' for type restriction '{user.SubjectKind}' of '{relation.Qualified}'";
        }

        return null;
    }

    /// <summary>The user of a Check, ListObjects or Expand request: well-formed, of a known type, a userset only with a known relation (2000).</summary>
    public static ParsedUser ValidateRequestUser(CompiledModel model, string user)
    {
        if (!TupleParts.TryParseUser(user, out var parsed))
        {
            throw Validation($"invalid 'user' field format: '{user}'");
        }

        if (!model.HasType(parsed.Type))
        {
            throw Validation($"type '{parsed.Type}' not found");
        }

        if (parsed.Kind == UserKind.Userset && model.FindRelation(parsed.Type, parsed.Relation!) is null)
        {
            throw Validation($"relation '{parsed.Type}#{parsed.Relation}' not found");
        }

        return parsed;
    }

    /// <summary>
    /// <see cref="ValidateRequestUser"/> for a Check, without allocating when the user is valid (the common case);
    /// an invalid user takes the same path as before, so the error is the same.
    /// </summary>
    public static RequestUser ValidateCheckUser(CompiledModel model, string user) =>
        RequestUser.TryResolve(model, user, out var resolved) ? resolved : RequestUser.From(model, ValidateRequestUser(model, user), user);

    /// <summary>The object and relation of a Check: a malformed or unknown one is a validation error (2000).</summary>
    public static CompiledRelation ValidateCheckTarget(CompiledModel model, string @object, string relation)
    {
        // The valid case on spans (no substrings); anything else falls through to the checks that name the error.
        var colon = string.IsNullOrEmpty(@object) ? -1 : @object.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0
            && colon < @object.Length - 1
            && TupleParts.IsName(@object.AsSpan(0, colon))
            && TupleParts.IsId(@object.AsSpan(colon + 1))
            && model.TryGetType(@object.AsSpan(0, colon), out var compiledType)
            && compiledType.Relations.TryGetValue(relation, out var found))
        {
            return found;
        }

        if (!TupleParts.TrySplitObject(@object, out var type, out _))
        {
            throw Validation($"invalid 'object' field format: '{@object}'");
        }

        if (!model.HasType(type))
        {
            throw Validation($"type '{type}' not found");
        }

        return model.FindRelation(type, relation) ?? throw Validation($"relation '{type}#{relation}' not found");
    }

    /// <summary>The type and relation of a list query: unknown ones have their own codes (2021, 2022).</summary>
    public static CompiledRelation ValidateListTarget(CompiledModel model, string type, string relation)
    {
        if (!model.HasType(type))
        {
            throw new AuthorizationException(AuthorizationErrorCode.TypeNotFound, $"type '{type}' not found");
        }

        return model.FindRelation(type, relation)
            ?? throw new AuthorizationException(AuthorizationErrorCode.RelationNotFound, $"relation '{type}#{relation}' not found");
    }

    /// <summary>A ListUsers filter names a known type and, for usersets, a known relation (2021, 2022).</summary>
    public static void ValidateUserFilter(CompiledModel model, UserTypeFilter filter)
    {
        if (!model.HasType(filter.Type))
        {
            throw new AuthorizationException(AuthorizationErrorCode.TypeNotFound, $"type '{filter.Type}' not found");
        }

        if (filter.Relation is not null && model.FindRelation(filter.Type, filter.Relation) is null)
        {
            throw new AuthorizationException(AuthorizationErrorCode.RelationNotFound, $"relation '{filter.Type}#{filter.Relation}' not found");
        }
    }

    public static AuthorizationException Validation(string message) => new(AuthorizationErrorCode.ValidationError, message);
}
