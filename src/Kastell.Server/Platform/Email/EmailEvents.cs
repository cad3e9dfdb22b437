using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Email;

/// <summary>E-mail delivery events of the platform (block 9100–9109), recorded in the system chain.</summary>
[AuditEventBlock(9100, 9109)]
public static class EmailEvents
{
    /// <summary>An e-mail given up on (refused for good or out of attempts); details name its kind, attempts and the reason.</summary>
    public static readonly AuditEventType EmailDeadLettered = new(9100);

    /// <summary>An operator sent dead-lettered or waiting e-mail again (<c>mail retry</c>).</summary>
    public static readonly AuditEventType EmailRequeued = new(9101);
}
