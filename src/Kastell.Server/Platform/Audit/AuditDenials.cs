namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Authorization denials, recorded the same way everywhere: who was refused which permission on what. A denial
/// changes nothing, so it is written in its own transaction (<see cref="IAuditLog.RecordNowAsync"/>).
/// </summary>
public static class AuditDenials
{
    public static AuditEntry Permission(Guid userId, string permission, AuditTarget target, string reason = "forbidden") =>
        new(AuthorizationEvents.AuthorizationDenied, AuditActor.User(userId), target, AuditOutcome.Denied,
            new Dictionary<string, string> { ["permission"] = permission, ["reason"] = reason });
}
