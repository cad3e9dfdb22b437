namespace Kastell.Authorization.Engine;

internal enum ExpansionEdgeKind : byte
{
    /// <summary>A tuple of the relation itself names the user (or its wildcard, or a userset holding the user).</summary>
    Direct,

    /// <summary>Another relation of the same object holds (<c>define viewer: editor</c>).</summary>
    Computed,

    /// <summary>A related object's relation holds (<c>define viewer: viewer from parent</c>).</summary>
    TupleToUserset,
}

/// <summary>
/// The step by which ListObjects' reverse expansion reached a relation: it names the leaf of the relation's plan that
/// the step makes true, so a proven step can prove the relation without evaluating the rest of its plan.
/// </summary>
/// <param name="Source">For <see cref="ExpansionEdgeKind.Computed"/> and <see cref="ExpansionEdgeKind.TupleToUserset"/>: the relation that holds.</param>
/// <param name="Tupleset">For <see cref="ExpansionEdgeKind.TupleToUserset"/>: the tupleset relation that links the objects.</param>
internal readonly record struct ExpansionEdge(ExpansionEdgeKind Kind, CompiledRelation? Source = null, CompiledRelation? Tupleset = null)
{
    public static ExpansionEdge Direct => new(ExpansionEdgeKind.Direct);

    /// <summary>Whether this step makes <paramref name="leaf"/> true on the object it reached.</summary>
    public bool Proves(PlanNode leaf) => Kind switch
    {
        ExpansionEdgeKind.Direct => leaf is DirectNode,
        ExpansionEdgeKind.Computed => leaf is ComputedNode computed && ReferenceEquals(computed.Target, Source),
        ExpansionEdgeKind.TupleToUserset => leaf is TupleToUsersetNode ttu
            && ReferenceEquals(ttu.Tupleset, Tupleset)
            && string.Equals(ttu.ComputedRelation, Source!.Name, StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Whether <paramref name="node"/> is or contains a leaf this step proves.</summary>
    public bool ProvesWithin(PlanNode node)
    {
        switch (node)
        {
            case UnionNode union:
                return AnyProves(union.Children);
            case IntersectionNode intersection:
                return AnyProves(intersection.Children);
            case DifferenceNode difference:
                return ProvesWithin(difference.Base) || ProvesWithin(difference.Subtract);
            default:
                return Proves(node);
        }
    }

    private bool AnyProves(PlanNode[] nodes)
    {
        foreach (var node in nodes)
        {
            if (ProvesWithin(node))
            {
                return true;
            }
        }

        return false;
    }
}
