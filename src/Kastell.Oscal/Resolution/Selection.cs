using Kastell.Oscal.Model;

namespace Kastell.Oscal.Resolution;

/// <summary>
/// The import phase for one import: which controls of the source are included, returned as the source catalog pruned
/// to them (groups and nesting kept, so every structuring directive can work from it).
/// </summary>
internal static class Selection
{
    /// <param name="source">The imported catalog (or resolved profile).</param>
    /// <param name="import">The import directive.</param>
    /// <param name="seen">For combine use-first: ids already taken by earlier imports; a control whose id is taken is dropped.</param>
    /// <param name="warn">Receives selectors that matched nothing.</param>
    public static Catalog Select(Catalog source, ProfileImport import, HashSet<string>? seen, Action<string> warn)
    {
        var index = new ControlIndex(source);
        var included = new HashSet<Control>(ReferenceEqualityComparer.Instance);
        if (import.IncludeAll || import.IncludeControls.Count == 0)
        {
            // No include directive at all means include-all (specification, "implicit all").
            included.UnionWith(index.All);
        }
        else
        {
            foreach (var selector in import.IncludeControls)
            {
                included.UnionWith(index.Match(selector, warn));
            }

            // The ancestors of an included control are included with it (specification, "with-parent-controls" default).
            foreach (var control in included.ToList())
            {
                for (var parent = index.ParentOf(control); parent is not null && included.Add(parent); parent = index.ParentOf(parent))
                {
                }
            }
        }

        foreach (var selector in import.ExcludeControls)
        {
            included.ExceptWith(index.Match(selector, warn));
        }

        bool Keep(Control c) => included.Contains(c) && (seen is null || seen.Add(c.Id));
        return source with
        {
            Controls = PruneControls(source.Controls, Keep),
            Groups = PruneGroups(source.Groups, Keep),
        };
    }

    /// <summary>
    /// Keeps the included controls; a control that is not included gives way to its included descendants, which move up
    /// to its place (specification, as-is: "up-levelled").
    /// </summary>
    internal static IReadOnlyList<Control> PruneControls(IReadOnlyList<Control> controls, Func<Control, bool> keep)
    {
        var result = new List<Control>();
        foreach (var control in controls)
        {
            // Decide before the children so that use-first sees a parent before its children (depth-first order).
            var kept = keep(control);
            var children = PruneControls(control.Controls, keep);
            if (kept)
            {
                result.Add(SameItems(children, control.Controls) ? control : control with { Controls = children });
            }
            else
            {
                result.AddRange(children);
            }
        }

        return result;
    }

    private static IReadOnlyList<Group> PruneGroups(IReadOnlyList<Group> groups, Func<Control, bool> keep)
    {
        var result = new List<Group>();
        foreach (var group in groups)
        {
            var controls = PruneControls(group.Controls, keep);
            var subgroups = PruneGroups(group.Groups, keep);

            // A group without any included control is left out, unless it is marked keep=always.
            if (controls.Count > 0 || subgroups.Count > 0 || group.Props.Any(p => p.Name == "keep" && p.Value == "always"))
            {
                result.Add(group with { Controls = controls, Groups = subgroups });
            }
        }

        return result;
    }

    private static bool SameItems(IReadOnlyList<Control> a, IReadOnlyList<Control> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Every control of a catalog in depth-first order, by id and with its parent control.</summary>
internal sealed class ControlIndex
{
    private readonly Dictionary<Control, Control?> _parents = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, List<Control>> _byId = new(StringComparer.Ordinal);

    public ControlIndex(Catalog catalog)
        : this(catalog.Controls, catalog.Groups)
    {
    }

    public ControlIndex(IEnumerable<Control> controls, IEnumerable<Group> groups)
    {
        foreach (var control in controls)
        {
            Add(control, null);
        }

        foreach (var group in groups)
        {
            AddGroup(group);
        }
    }

    /// <summary>All controls, depth first in document order.</summary>
    public List<Control> All { get; } = [];

    public Control? ParentOf(Control control) => _parents.GetValueOrDefault(control);

    /// <summary>The controls a selector names or matches, with their descendants when it says with-child-controls yes.</summary>
    public List<Control> Match(ControlSelector selector, Action<string> warn)
    {
        var matched = new List<Control>();
        foreach (var id in selector.WithIds)
        {
            if (_byId.TryGetValue(id, out var controls))
            {
                matched.AddRange(controls);
            }
            else
            {
                warn($"with-ids \"{id}\" matches no control");
            }
        }

        foreach (var pattern in selector.Matching)
        {
            var before = matched.Count;
            var glob = new Glob(pattern);
            matched.AddRange(All.Where(c => glob.IsMatch(c.Id)));
            if (matched.Count == before)
            {
                warn(pattern.Length == 0 ? "a matching without pattern matches nothing" : $"matching \"{pattern}\" matches no control");
            }
        }

        if (selector.WithChildControls == true)
        {
            // All descendants, not only the direct children (specification, "with-child-controls").
            matched.AddRange(matched.SelectMany(c => c.SelfAndDescendants().Skip(1)).ToList());
        }

        return matched;
    }

    private void AddGroup(Group group)
    {
        foreach (var control in group.Controls)
        {
            Add(control, null);
        }

        foreach (var sub in group.Groups)
        {
            AddGroup(sub);
        }
    }

    private void Add(Control control, Control? parent)
    {
        _parents[control] = parent;
        All.Add(control);
        if (!_byId.TryGetValue(control.Id, out var list))
        {
            _byId[control.Id] = list = [];
        }

        list.Add(control);
        foreach (var child in control.Controls)
        {
            Add(child, control);
        }
    }
}
