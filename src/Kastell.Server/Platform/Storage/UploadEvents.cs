using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Storage;

/// <summary>Events of the upload pipeline: scanning and quarantine (block 2010–2014).</summary>
[AuditEventBlock(2010, 2014)]
public static class UploadEvents
{
    /// <summary>An upload the malware scanner found infected: refused, nothing kept.</summary>
    public static readonly AuditEventType FileMalwareFound = new(2010);

    /// <summary>An upload held in quarantine because the malware scanner was unavailable.</summary>
    public static readonly AuditEventType FileQuarantined = new(2011);

    /// <summary>A quarantined upload scanned clean later and made available.</summary>
    public static readonly AuditEventType FileReleased = new(2012);

    /// <summary>A file uploaded, scanned clean and made available.</summary>
    public static readonly AuditEventType FileUploaded = new(2013);

    /// <summary>An upload refused before it was kept: too large, empty, or of a type Kastell does not accept.</summary>
    public static readonly AuditEventType FileUploadRefused = new(2014);
}
