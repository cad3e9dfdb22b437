using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Benchmarks.Graph;

/// <summary>A generated graph: its tuples, the checks to run on it, and the user whose ListObjects is measured.</summary>
public sealed record KastellGraph(IReadOnlyList<RelationshipTuple> Tuples, IReadOnlyList<CheckCase> Checks, int Organizations)
{
    /// <summary>A direct member of the first <see cref="GraphShape.AuditedOrganizations"/> organizations.</summary>
    public const string Auditor = "user:auditor";

    /// <summary>The objects the auditor can view: every evidence of the audited organizations whose asset does not block them.</summary>
    public int AuditorVisibleEvidence { get; init; }
}
