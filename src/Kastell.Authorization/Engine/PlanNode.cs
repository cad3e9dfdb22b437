namespace Kastell.Authorization.Engine;

/// <summary>A relation rewrite compiled once per model: references resolved to relations, so evaluation never looks names up.</summary>
internal abstract class PlanNode;

/// <summary>Directly assigned users of the owning relation.</summary>
internal sealed class DirectNode : PlanNode;

/// <summary>Another relation of the same object.</summary>
internal sealed class ComputedNode(CompiledRelation target) : PlanNode
{
    public CompiledRelation Target { get; } = target;
}

/// <summary><c>computed from tupleset</c>; the computed relation is looked up on each related object's type.</summary>
internal sealed class TupleToUsersetNode(CompiledRelation tupleset, string computedRelation) : PlanNode
{
    public CompiledRelation Tupleset { get; } = tupleset;

    public string ComputedRelation { get; } = computedRelation;
}

internal sealed class UnionNode(PlanNode[] children) : PlanNode
{
    public PlanNode[] Children { get; } = children;
}

internal sealed class IntersectionNode(PlanNode[] children) : PlanNode
{
    public PlanNode[] Children { get; } = children;
}

internal sealed class DifferenceNode(PlanNode @base, PlanNode subtract) : PlanNode
{
    public PlanNode Base { get; } = @base;

    public PlanNode Subtract { get; } = subtract;
}
