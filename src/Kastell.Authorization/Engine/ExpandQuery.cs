using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>Expand: one level of a relation's rewrite with the tuples it reads, like OpenFGA's Expand API.</summary>
internal static class ExpandQuery
{
    public static ValueTask<ExpandNode> RunAsync(ITupleReader reader, string @object, CompiledRelation relation, CancellationToken cancellationToken) =>
        ExpandAsync(relation.Plan, reader, @object, relation, cancellationToken);

    private static async ValueTask<ExpandNode> ExpandAsync(PlanNode node, ITupleReader reader, string @object, CompiledRelation relation, CancellationToken cancellationToken)
    {
        var name = $"{@object}#{relation.Name}";
        switch (node)
        {
            case DirectNode:
                var tuples = await reader.ReadAsync(@object, relation.Name, cancellationToken).ConfigureAwait(false);
                return new ExpandUsers(name, [.. tuples.Select(t => t.User).Distinct(StringComparer.Ordinal)]);
            case ComputedNode computed:
                return new ExpandComputed(name, $"{@object}#{computed.Target.Name}");
            case TupleToUsersetNode ttu:
                var parents = await reader.ReadAsync(@object, ttu.Tupleset.Name, cancellationToken).ConfigureAwait(false);
                return new ExpandTupleToUserset(name, $"{@object}#{ttu.Tupleset.Name}", [.. parents
                    .Where(t => !t.User.Contains('#', StringComparison.Ordinal))
                    .Select(t => $"{t.User}#{ttu.ComputedRelation}")
                    .Distinct(StringComparer.Ordinal)]);
            case UnionNode union:
                return new ExpandUnion(name, await ExpandAllAsync(union.Children, reader, @object, relation, cancellationToken).ConfigureAwait(false));
            case IntersectionNode intersection:
                return new ExpandIntersection(name, await ExpandAllAsync(intersection.Children, reader, @object, relation, cancellationToken).ConfigureAwait(false));
            case DifferenceNode difference:
                return new ExpandDifference(
                    name,
                    await ExpandAsync(difference.Base, reader, @object, relation, cancellationToken).ConfigureAwait(false),
                    await ExpandAsync(difference.Subtract, reader, @object, relation, cancellationToken).ConfigureAwait(false));
            default:
                throw new InvalidOperationException($"unknown plan node {node.GetType().Name}");
        }
    }

    private static async ValueTask<IReadOnlyList<ExpandNode>> ExpandAllAsync(PlanNode[] children, ITupleReader reader, string @object, CompiledRelation relation, CancellationToken cancellationToken)
    {
        var nodes = new List<ExpandNode>(children.Length);
        foreach (var child in children)
        {
            nodes.Add(await ExpandAsync(child, reader, @object, relation, cancellationToken).ConfigureAwait(false));
        }

        return nodes;
    }
}
