namespace Kastell.Authorization.Benchmarks.Graph;

/// <summary>The path a check takes through the graph, from short to long.</summary>
public enum CheckKind
{
    /// <summary>asset#can_view by its own viewer or owner (one tuple, plus the <c>but not blocked</c> lookup).</summary>
    Direct,

    /// <summary>asset#can_edit by a member of the asset's editor group (userset).</summary>
    ViaGroup,

    /// <summary>evidence#can_view by an organization member: evidence → asset → space → organization → member.</summary>
    ViaSpaceOrganization,

    /// <summary>space#can_edit by a member of the deepest team of a chain of nested teams that owns the space.</summary>
    NestedTeams,

    /// <summary>evidence#can_view by a user of another organization: denied after exploring every path.</summary>
    DeniedForeignUser,

    /// <summary>asset#can_view by an organization member who is blocked on that asset: denied by <c>but not</c>.</summary>
    DeniedBlocked,
}

/// <summary>One check of the workload, with the answer the graph was built to give.</summary>
public sealed record CheckCase(CheckKind Kind, string Object, string Relation, string User, bool Expected);
