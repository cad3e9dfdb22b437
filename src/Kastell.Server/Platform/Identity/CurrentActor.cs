using System.Security.Claims;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity.Tokens;

namespace Kastell.Server.Platform.Identity;

/// <summary>
/// Who acts in the current request or job: a signed-in user (from the session's claims), an API token, a system job,
/// or nobody. The one place that reads the caller from the claims; commands, audit entries and row-level security
/// take the actor from here instead of parsing claims themselves.
/// </summary>
public sealed class CurrentActor(IHttpContextAccessor http)
{
    private AuditActor? _assigned;

    /// <summary>The actor as the audit log records it: for a request with an API token, the token.</summary>
    public AuditActor Actor => _assigned ?? (Token is { } token ? AuditActor.ApiToken(token.TokenId) : FromPrincipal(http.HttpContext?.User));

    /// <summary>
    /// The person acting: the signed-in user, or the owner of a personal access token. Null for a service account's
    /// token, a job and anonymous callers.
    /// </summary>
    public Guid? UserId => _assigned is null && Token is { } token
        ? token.UserId
        : Actor is { Kind: AuditActorKind.User, Id: { } id } && Guid.TryParse(id, out var user) ? user : null;

    /// <summary>The API token of this request and what it may do; null outside the API (and for jobs).</summary>
    public ApiTokenGrant? Token => _assigned is null ? http.HttpContext?.Features.Get<ApiTokenGrant>() : null;

    /// <summary>The subject the authorization engine decides for: <c>user:…</c> or <c>service_account:…</c>; null for nobody.</summary>
    public string? Subject => Token is { } token ? token.Subject : UserId is { } user ? $"user:{user:D}" : null;

    /// <summary>The acting user; throws for anyone else (a handler that needs a user and has none is a bug, not a 403).</summary>
    public Guid RequireUserId() => UserId ?? throw new InvalidOperationException("This action needs a signed-in user.");

    /// <summary>
    /// Sets the actor for a job, or for a flow that proved who the user is without a session (a password-reset link,
    /// a re-authentication before deleting the account).
    /// </summary>
    public void ActAs(AuditActor actor) => _assigned = actor;

    /// <summary>The user a principal's session belongs to, or anonymous.</summary>
    public static AuditActor FromPrincipal(ClaimsPrincipal? principal) =>
        principal?.Identity?.IsAuthenticated == true && Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)
            ? AuditActor.User(userId)
            : AuditActor.Anonymous;
}
