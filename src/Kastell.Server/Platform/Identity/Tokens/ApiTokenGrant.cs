using Kastell.Authorization.Storage;

namespace Kastell.Server.Platform.Identity.Tokens;

/// <summary>
/// What the API token of the current request may do, set by <see cref="ApiTokenAuthenticationHandler"/> as a request
/// feature: whose token it is (the subject the authorization engine checks), which organization, which Spaces and
/// which permissions. <see cref="Authorization.Permissions"/> intersects every decision with it: the subject must hold
/// the permission (now, not when the token was made), the token must carry it, and the object must lie in its reach.
/// </summary>
public sealed record ApiTokenGrant(
    Guid TokenId,
    Guid OrganizationId,
    ApiTokenKind Kind,
    Guid SubjectId,
    IReadOnlySet<string> Permissions,
    IReadOnlySet<Guid>? Spaces)
{
    /// <summary>The person a personal access token acts for.</summary>
    public Guid? UserId => Kind == ApiTokenKind.Personal ? SubjectId : null;

    /// <summary>The model's subject: <c>user:…</c> or <c>service_account:…</c>.</summary>
    public string Subject => ApiTokenReach.SubjectOf(Kind, SubjectId);

    /// <summary>Whether the token carries the permission. Entering the organization and a Space in reach is always allowed.</summary>
    public bool Carries(string type, string permission) =>
        ApiTokenReach.IsEntry(type, permission) || Permissions.Contains(ApiTokenReach.Name(type, permission));

    /// <summary>The token's reach as contextual tuples for the check of <c>token_reach</c>: its organization, or each of its Spaces.</summary>
    public IReadOnlyList<RelationshipTuple> ReachTuples()
    {
        var token = ApiTokenReach.TokenObject(TokenId);
        return Spaces is null
            ? [new RelationshipTuple($"organization:{OrganizationId:D}", ApiTokenReach.Relation, token)]
            : [.. Spaces.Select(s => new RelationshipTuple($"space:{s:D}", ApiTokenReach.Relation, token))];
    }
}

/// <summary>The names that tie tokens to the authorization model (<c>tenancy.fga</c>: <c>api_token</c>, <c>token_reach</c>).</summary>
public static class ApiTokenReach
{
    /// <summary>The relation every object type in reach of a token defines (its organization, its Space, its Space's objects).</summary>
    public const string Relation = "token_reach";

    public static string TokenObject(Guid tokenId) => $"api_token:{tokenId:D}";

    public static string SubjectOf(ApiTokenKind kind, Guid id) => kind == ApiTokenKind.Personal ? $"user:{id:D}" : $"service_account:{id:D}";

    /// <summary>A permission as tokens list it: <c>space:can_upload</c>.</summary>
    public static string Name(string type, string permission) => $"{type}:{permission}";

    /// <summary>Reading the organization and a Space is how every request enters its tenant: no token needs to list it.</summary>
    public static bool IsEntry(string type, string permission) => permission == "can_read" && type is "organization" or "space";

    public static IReadOnlySet<string> ParsePermissions(string stored) =>
        stored.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public static string FormatPermissions(IEnumerable<string> permissions) => string.Join(' ', permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    public static IReadOnlySet<Guid>? ParseSpaces(string? stored) =>
        stored is null ? null : stored.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToHashSet();

    public static string? FormatSpaces(IReadOnlyCollection<Guid>? spaces) =>
        spaces is null || spaces.Count == 0 ? null : string.Join(' ', spaces.Distinct().Order().Select(s => s.ToString("D")));
}
