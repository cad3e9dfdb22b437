using Kastell.Oscal.Model;

namespace Kastell.Oscal.Resolution;

/// <summary>
/// The structuring directives of the merge phase, each turning the selections (one pruned catalog per import, in
/// import order) into the body of the resolved catalog. Uuid and metadata are set by the caller.
/// </summary>
internal static class Structuring
{
    /// <summary><c>flat</c> (also the default): every control directly under the catalog, no groups, no nesting.</summary>
    public static Catalog Flat(IReadOnlyList<Catalog> selections)
    {
        var controls = new List<Control>();
        var parameters = new List<Parameter>();
        foreach (var selection in selections)
        {
            parameters.AddRange(selection.Params);
            parameters.AddRange(AllGroups(selection.Groups).SelectMany(g => g.Params));
            controls.AddRange(selection.AllControls().Select(c => c.Controls.Count == 0 ? c : c with { Controls = [] }));
        }

        return Body(selections) with { Params = parameters, Controls = controls };
    }

    /// <summary>
    /// <c>as-is</c>: the structure of the sources. Groups with the same id in several sources become one group holding
    /// the controls of each, in import order.
    /// </summary>
    public static Catalog AsIs(IReadOnlyList<Catalog> selections)
    {
        var controls = new List<Control>();
        var parameters = new List<Parameter>();
        var groups = new List<Group>();
        foreach (var selection in selections)
        {
            parameters.AddRange(selection.Params);
            controls.AddRange(selection.Controls);
            MergeGroups(groups, selection.Groups);
        }

        return Body(selections) with { Params = parameters, Controls = controls, Groups = groups };
    }

    /// <summary><c>custom</c>: the profile's own groups, each holding the controls its insert-controls select.</summary>
    public static Catalog Custom(IReadOnlyList<Catalog> selections, CustomStructure custom, Action<string> warn)
    {
        // The pool: every included control in depth-first import order, with its included descendants.
        var index = new ControlIndex(selections.SelectMany(s => s.Controls), selections.SelectMany(s => s.Groups));
        var parameters = new List<Parameter>();
        foreach (var selection in selections)
        {
            parameters.AddRange(selection.Params);
            parameters.AddRange(AllGroups(selection.Groups).SelectMany(g => g.Params));
        }

        Group Build(CustomGroup g) => new()
        {
            Id = g.Id,
            Class = g.Class,
            Title = g.Title,
            Params = g.Params,
            Props = g.Props,
            Links = g.Links,
            Parts = g.Parts,
            Groups = [.. g.Groups.Select(Build)],
            Controls = [.. g.InsertControls.SelectMany(i => Insert(index, i, warn))],
        };

        return Body(selections) with
        {
            Params = parameters,
            Controls = [.. custom.InsertControls.SelectMany(i => Insert(index, i, warn))],
            Groups = [.. custom.Groups.Select(Build)],
        };
    }

    /// <summary>
    /// The controls one insert-controls selects. Each is inserted without its nested controls, except those selected
    /// with with-child-controls yes, which keep their included descendants nested (and these are not inserted again).
    /// </summary>
    private static IEnumerable<Control> Insert(ControlIndex index, InsertControls insert, Action<string> warn)
    {
        var selected = new HashSet<Control>(ReferenceEqualityComparer.Instance);
        var withChildren = new HashSet<Control>(ReferenceEqualityComparer.Instance);
        if (insert.IncludeAll || insert.IncludeControls.Count == 0)
        {
            selected.UnionWith(index.All);
        }

        foreach (var selector in insert.IncludeControls)
        {
            var matched = index.Match(selector with { WithChildControls = false }, warn);
            selected.UnionWith(matched);
            if (selector.WithChildControls == true)
            {
                withChildren.UnionWith(matched);
            }
        }

        foreach (var selector in insert.ExcludeControls)
        {
            selected.ExceptWith(index.Match(selector, warn));
        }

        var covered = new HashSet<Control>(withChildren.Where(selected.Contains).SelectMany(c => c.SelfAndDescendants().Skip(1)), ReferenceEqualityComparer.Instance);
        var result = index.All
            .Where(c => selected.Contains(c) && !covered.Contains(c))
            .Select(c => withChildren.Contains(c) || c.Controls.Count == 0 ? c : c with { Controls = [] })
            .ToList();
        if (result.Count == 0)
        {
            warn("an insert-controls selects no control");
        }

        return (insert.Order ?? InsertOrder.Keep) switch
        {
            InsertOrder.Ascending => result.OrderBy(c => c.Id, StringComparer.Ordinal),
            InsertOrder.Descending => result.OrderByDescending(c => c.Id, StringComparer.Ordinal),
            _ => result,
        };
    }

    private static void MergeGroups(List<Group> into, IReadOnlyList<Group> from)
    {
        // Positions by id, so that many groups merge in linear time.
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < into.Count; i++)
        {
            if (into[i].Id is { } id)
            {
                positions.TryAdd(id, i);
            }
        }

        foreach (var group in from)
        {
            if (group.Id is null || !positions.TryGetValue(group.Id, out var same))
            {
                if (group.Id is not null)
                {
                    positions[group.Id] = into.Count;
                }

                into.Add(group);
                continue;
            }

            var existing = into[same];
            var subgroups = existing.Groups.ToList();
            MergeGroups(subgroups, group.Groups);
            var known = existing.Params.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            into[same] = existing with
            {
                Params = [.. existing.Params, .. group.Params.Where(p => known.Add(p.Id))],
                Controls = [.. existing.Controls, .. group.Controls],
                Groups = subgroups,
            };
        }
    }

    private static IEnumerable<Group> AllGroups(IEnumerable<Group> groups) =>
        groups.SelectMany(g => AllGroups(g.Groups).Prepend(g));

    // The uuid and metadata are placeholders the resolver replaces.
    private static Catalog Body(IReadOnlyList<Catalog> selections) => new()
    {
        Uuid = "",
        Metadata = selections.Count > 0 ? selections[0].Metadata : new Metadata { Title = "", LastModified = "", Version = "", OscalVersion = "" },
    };
}
