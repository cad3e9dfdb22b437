namespace Kastell.Authorization.Benchmarks.Graph;

/// <summary>
/// How one organization is laid out. About 2,300 tuples per organization, so the graph size is set by the number of
/// organizations. Every organization looks alike on purpose: latency then depends on the size of the store and the path
/// of the check, not on which organization a check happens to land in.
/// </summary>
public sealed record GraphShape
{
    public int UsersPerOrganization { get; init; } = 60;
    public int AdminsPerOrganization { get; init; } = 2;
    public int DirectMembersPerOrganization { get; init; } = 5;
    public int GroupsPerOrganization { get; init; } = 8;
    public int MembersPerGroup { get; init; } = 15;

    /// <summary>Teams form one chain: team k+1's members are members of team k (team#member ⊂ team).</summary>
    public int NestedTeamDepth { get; init; } = 6;
    public int UsersPerTeam { get; init; } = 4;
    public int SpacesPerOrganization { get; init; } = 8;
    public int AssetsPerSpace { get; init; } = 40;
    public int EvidencePerAsset { get; init; } = 3;

    /// <summary>One asset in ten blocks one organization member (the <c>but not blocked</c> exclusion).</summary>
    public int BlockEveryNthAsset { get; init; } = 10;

    /// <summary>The auditor is a direct member of this many organizations: about 10 k visible evidence objects.</summary>
    public int AuditedOrganizations { get; init; } = 11;

    public int ChecksPerKind { get; init; } = 200;
}
