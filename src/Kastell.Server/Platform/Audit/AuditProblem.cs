namespace Kastell.Server.Platform.Audit;

/// <summary>The kinds of damage the verifier tells apart.</summary>
public enum AuditProblemKind
{
    /// <summary>An event's content no longer matches its hash, or was re-hashed so its successor no longer links to it.</summary>
    Modified,

    /// <summary>Sequence numbers are missing in the middle of a chain.</summary>
    Deleted,

    /// <summary>An event that is not part of the chain (a second event with a taken sequence number).</summary>
    Inserted,

    /// <summary>An intact event stored under another sequence number than the one it was hashed with.</summary>
    Reordered,

    /// <summary>The chain ends before the last signed checkpoint.</summary>
    Truncated,

    /// <summary>A checkpoint whose signature does not verify with the audit signing key.</summary>
    CheckpointInvalid,

    /// <summary>The event at a checkpoint's sequence number does not have the hash the checkpoint signed: history was rewritten.</summary>
    Rewritten,
}

/// <summary>One finding, located by chain (organization id, or null for the system chain) and sequence number.</summary>
public sealed record AuditProblem(Guid? OrganizationId, long Sequence, AuditProblemKind Kind, string Message)
{
    public override string ToString() =>
        $"chain {OrganizationId?.ToString() ?? "system"} #{Sequence}: {Kind.ToString().ToLowerInvariant()} — {Message}";
}

public sealed record AuditVerification(int Chains, long Events, int Checkpoints, IReadOnlyList<AuditProblem> Problems)
{
    public bool IsIntact => Problems.Count == 0;
}
