using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Domains;

/// <summary>The Domains feature's events: claims added, verified, lost and removed (block 5050–5099).</summary>
[AuditEventBlock(5050, 5099)]
public static class DomainEvents
{
    public static readonly AuditEventType DomainAdded = new(5050);

    public static readonly AuditEventType DomainVerified = new(5051);

    /// <summary>A check found no matching TXT record for a domain not yet verified.</summary>
    public static readonly AuditEventType DomainVerificationFailed = new(5052);

    /// <summary>The periodic re-check (or a manual check) no longer found the record of a verified domain: unverified.</summary>
    public static readonly AuditEventType DomainVerificationLost = new(5053);

    public static readonly AuditEventType DomainRemoved = new(5054);

    /// <summary>An attempt to add or verify a domain another organization holds verified: refused, nothing changed.</summary>
    public static readonly AuditEventType DomainClaimRefused = new(5055);
}
