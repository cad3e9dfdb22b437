using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Files;

/// <summary>The Files feature's events (block 2015–2099).</summary>
[AuditEventBlock(2015, 2099)]
public static class FileEvents
{
    /// <summary>A file (or a range of it) sent to a user.</summary>
    public static readonly AuditEventType FileDownloaded = new(2015);

    public static readonly AuditEventType FileDeleted = new(2016);
}
