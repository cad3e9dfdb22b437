using System.Collections.Immutable;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

internal sealed partial class DslValidator
{
    /// <summary>
    /// A relation is impossible when no chain of rewrites ever reaches a directly assignable user; when the search
    /// only came back to a relation already on the path, OpenFGA calls it a potential loop.
    /// </summary>
    private void CheckEntryPoints()
    {
        foreach (var type in _model.TypeDefinitions)
        {
            foreach (var relation in type.Relations)
            {
                var (hasEntry, loop) = HasEntryPointOrLoop(type.Name, relation.Name, relation.Rewrite, []);
                if (hasEntry)
                {
                    continue;
                }

                var line = _locator.RelationLine(type.Name, relation.Name);
                var message = loop
                    ? $"`{relation.Name}` is an impossible relation for `{type.Name}` (potential loop)."
                    : $"`{relation.Name}` is an impossible relation for `{type.Name}` (no entrypoint).";
                _errors.Add(_locator.At(line, relation.Name, message, "relation-no-entry-point"));
            }
        }
    }

    private (bool HasEntry, bool Loop) HasEntryPointOrLoop(string typeName, string relationName, Userset rewrite, ImmutableHashSet<(string, string)> visited)
    {
        var type = _types.GetValueOrDefault(typeName);
        var relation = type?.FindRelation(relationName);
        if (type is null || relation is null)
        {
            return (false, false);
        }

        visited = visited.Add((typeName, relationName));
        switch (rewrite)
        {
            case This:
                foreach (var reference in relation.DirectlyRelatedUserTypes)
                {
                    if (reference.Relation is null || reference.Wildcard)
                    {
                        return (true, false);
                    }

                    var assignable = _types.GetValueOrDefault(reference.Type)?.FindRelation(reference.Relation);
                    if (assignable is null)
                    {
                        return (false, false);
                    }

                    if (visited.Contains((reference.Type, reference.Relation)))
                    {
                        continue;
                    }

                    if (HasEntryPointOrLoop(reference.Type, reference.Relation, assignable.Rewrite, visited).HasEntry)
                    {
                        return (true, false);
                    }
                }

                return (false, false);

            case ComputedUserset computed:
                var target = type.FindRelation(computed.Relation);
                if (target is null)
                {
                    return (false, false);
                }

                return visited.Contains((typeName, computed.Relation))
                    ? (false, true)
                    : HasEntryPointOrLoop(typeName, computed.Relation, target.Rewrite, visited);

            case TupleToUserset ttu:
                var tupleset = type.FindRelation(ttu.Tupleset);
                if (tupleset is null)
                {
                    return (false, false);
                }

                foreach (var reference in tupleset.DirectlyRelatedUserTypes)
                {
                    var computedOnParent = _types.GetValueOrDefault(reference.Type)?.FindRelation(ttu.ComputedRelation);
                    if (computedOnParent is null || visited.Contains((reference.Type, ttu.ComputedRelation)))
                    {
                        continue;
                    }

                    if (HasEntryPointOrLoop(reference.Type, ttu.ComputedRelation, computedOnParent.Rewrite, visited).HasEntry)
                    {
                        return (true, false);
                    }
                }

                return (false, false);

            case Union union:
                var anyLoop = false;
                foreach (var child in union.Children)
                {
                    var (entry, loop) = HasEntryPointOrLoop(typeName, relationName, child, visited);
                    if (entry)
                    {
                        return (true, false);
                    }

                    anyLoop |= loop;
                }

                return (false, anyLoop);

            case Intersection intersection:
                foreach (var child in intersection.Children)
                {
                    var (entry, loop) = HasEntryPointOrLoop(typeName, relationName, child, visited);
                    if (!entry)
                    {
                        return (false, loop);
                    }
                }

                return (true, false);

            case Difference difference:
                var baseResult = HasEntryPointOrLoop(typeName, relationName, difference.Base, visited);
                if (!baseResult.HasEntry)
                {
                    return (false, baseResult.Loop);
                }

                var subtractResult = HasEntryPointOrLoop(typeName, relationName, difference.Subtract, visited);
                return subtractResult.HasEntry ? (true, false) : (false, subtractResult.Loop);

            default:
                return (false, false);
        }
    }
}
