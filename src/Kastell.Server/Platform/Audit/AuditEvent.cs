namespace Kastell.Server.Platform.Audit;

/// <summary>
/// One link of a hash chain. There is one chain per organization and one system chain (<see cref="OrganizationId"/>
/// null) for account events that belong to no tenant, such as sign-in. Rows are only ever inserted; the hash covers
/// every column but <see cref="Hash"/> itself (see <see cref="AuditHashing"/>).
/// </summary>
public sealed class AuditEvent
{
    public Guid Id { get; set; }

    /// <summary>The version of the canonical encoding the hash was computed with.</summary>
    public int HashVersion { get; set; }

    public Guid? OrganizationId { get; set; }

    /// <summary>1, 2, 3, ... per chain without gaps.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public AuditEventType Type { get; set; }

    public AuditOutcome Outcome { get; set; }

    public AuditActorKind ActorKind { get; set; }

    public string? ActorId { get; set; }

    public Guid? SpaceId { get; set; }

    public string? TargetType { get; set; }

    public string? TargetId { get; set; }

    public string? ClientIp { get; set; }

    public string? UserAgent { get; set; }

    public string? CorrelationId { get; set; }

    /// <summary>A small JSON object of non-secret facts (never passwords, tokens, codes or file contents).</summary>
    public string? Details { get; set; }

    public string PreviousHash { get; set; } = "";

    public string Hash { get; set; } = "";
}

/// <summary>A signed statement "chain X had hash H at sequence N", signed with a key that is not in the database.</summary>
public sealed class AuditCheckpoint
{
    public Guid Id { get; set; }

    public Guid? OrganizationId { get; set; }

    public long Sequence { get; set; }

    public string Hash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Which public key verifies <see cref="Signature"/> (a fingerprint, see <see cref="AuditSigningKey.KeyId"/>).</summary>
    public string KeyId { get; set; } = "";

    public string Signature { get; set; } = "";
}
