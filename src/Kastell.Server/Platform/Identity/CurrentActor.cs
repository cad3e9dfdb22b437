using System.Security.Claims;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Identity;

/// <summary>
/// Who acts in the current request or job: a signed-in user (from the session's claims), an API token, a system job,
/// or nobody. The one place that reads the caller from the claims; commands, audit entries and row-level security
/// take the actor from here instead of parsing claims themselves.
/// </summary>
public sealed class CurrentActor(IHttpContextAccessor http)
{
    private AuditActor? _assigned;

    /// <summary>The actor as the audit log records it.</summary>
    public AuditActor Actor => _assigned ?? FromPrincipal(http.HttpContext?.User);

    /// <summary>The acting user, if the actor is one.</summary>
    public Guid? UserId => Actor is { Kind: AuditActorKind.User, Id: { } id } && Guid.TryParse(id, out var user) ? user : null;

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
