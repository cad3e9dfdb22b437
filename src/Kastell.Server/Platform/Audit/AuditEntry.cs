namespace Kastell.Server.Platform.Audit;

/// <summary>
/// What a feature tells the audit log. The chain (organization), time, client and correlation are filled in by
/// <see cref="IAuditLog"/>. <paramref name="Details"/> holds small non-secret facts only.
/// </summary>
public sealed record AuditEntry(
    AuditEventType Type,
    AuditActor Actor,
    AuditTarget? Target = null,
    AuditOutcome Outcome = AuditOutcome.Succeeded,
    IReadOnlyDictionary<string, string>? Details = null);

/// <summary>Appends events to the tamper-evident audit log.</summary>
public interface IAuditLog
{
    /// <summary>
    /// Adds the event to the current unit of work: it is written by the caller's next <c>SaveChangesAsync</c>, in
    /// the same transaction as the change it records, so neither lands without the other.
    /// </summary>
    void Record(AuditEntry entry);

    /// <summary>For events that record no change of their own (a failed sign-in): written now, in its own transaction.</summary>
    Task RecordNowAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Writes the events recorded so far (and any other pending change of the unit of work) in one transaction.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
