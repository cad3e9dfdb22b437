using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Evidence;

/// <summary>The Evidence feature's events (block 3300–3399; sealed audit periods will take numbers from 3350 on).</summary>
[AuditEventBlock(3300, 3399)]
public static class EvidenceEvents
{
    /// <summary>Evidence submitted; details: space, kind, title, controls, assets.</summary>
    public static readonly AuditEventType EvidenceSubmitted = new(3300);

    /// <summary>Evidence accepted by a reviewer; details: space, comment.</summary>
    public static readonly AuditEventType EvidenceAccepted = new(3301);

    /// <summary>Evidence rejected by a reviewer; details: space, comment.</summary>
    public static readonly AuditEventType EvidenceRejected = new(3302);

    /// <summary>A new version of a file evidence item (the older ones are kept; the review starts again); details: space, version.</summary>
    public static readonly AuditEventType EvidenceVersionAdded = new(3303);

    /// <summary>A file evidence item's content downloaded; details: space, version.</summary>
    public static readonly AuditEventType EvidenceDownloaded = new(3304);

    /// <summary>A Space's evidence made visible to all its members, or restricted again; details: space, visibleToAll.</summary>
    public static readonly AuditEventType EvidenceVisibilityChanged = new(3305);
}
