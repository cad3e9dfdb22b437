namespace Kastell.Server.Platform.Audit;

/// <summary>
/// "The events of chain X up to sequence N were archived and removed." Append-only like the events. The audit tables'
/// delete guards allow removing an event only at or below such a mark, and the verifier starts the remaining chain at
/// the signed checkpoint the mark names, so pruning never looks like tampering and tampering never looks like pruning.
/// </summary>
public sealed class AuditPrune
{
    public Guid Id { get; set; }

    public Guid? OrganizationId { get; set; }

    /// <summary>The last removed sequence number; a signed checkpoint exists at exactly this number.</summary>
    public long UpToSequence { get; set; }

    /// <summary>The hash of event <see cref="UpToSequence"/>, which the first remaining event links to.</summary>
    public string CheckpointHash { get; set; } = "";

    public DateTimeOffset PrunedAt { get; set; }

    /// <summary>
    /// The archive's path relative to the archive directory (<c>&lt;organization&gt;/&lt;from&gt;-&lt;to&gt;.jsonl</c>)
    /// and its SHA-256, so it can be found and checked later. Marks written before this rule hold the path relative
    /// to the data directory, or an absolute one.
    /// </summary>
    public string ArchiveFile { get; set; } = "";

    public string ArchiveSha256 { get; set; } = "";
}
