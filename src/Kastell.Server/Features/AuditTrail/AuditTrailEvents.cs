using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.AuditTrail;

/// <summary>The audit trail's own events: exports and retention (block 8000–8099).</summary>
[AuditEventBlock(8000, 8099)]
public static class AuditTrailEvents
{
    public static readonly AuditEventType AuditLogExported = new(8000);

    public static readonly AuditEventType AuditLogPruned = new(8001);

    public static readonly AuditEventType AuditRetentionChanged = new(8002);
}
