using Kastell.Oscal.Model;

namespace Kastell.Oscal.Resolution;

/// <summary>
/// The modify phase: parameter settings and alterations (profile resolution specification, "Modify Phase"). Works on
/// immutable records, copying only what changes.
/// </summary>
internal static class Modification
{
    /// <summary>Applies every setting to every parameter with its id, in the order given; returns the ids that matched.</summary>
    public static Catalog SetParameters(Catalog catalog, IReadOnlyList<SetParameter> settings, HashSet<string> matched)
    {
        if (settings.Count == 0)
        {
            return catalog;
        }

        var byId = settings.GroupBy(s => s.ParamId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Parameter Apply(Parameter parameter)
        {
            if (!byId.TryGetValue(parameter.Id, out var forThis))
            {
                return parameter;
            }

            matched.Add(parameter.Id);
            foreach (var s in forThis)
            {
                var replaceValue = s.Values.Count > 0 || s.Select is not null;
                parameter = parameter with
                {
                    Class = s.Class ?? parameter.Class,
                    DependsOn = s.DependsOn ?? parameter.DependsOn,
                    Label = s.Label ?? parameter.Label,
                    Usage = s.Usage ?? parameter.Usage,
                    Values = replaceValue ? s.Values : parameter.Values,
                    Select = replaceValue ? s.Select : parameter.Select,
                    Props = [.. parameter.Props, .. s.Props],
                    Links = [.. parameter.Links, .. s.Links],
                    Constraints = [.. parameter.Constraints, .. s.Constraints],
                    Guidelines = [.. parameter.Guidelines, .. s.Guidelines],
                };
            }

            return parameter;
        }

        IReadOnlyList<Parameter> All(IReadOnlyList<Parameter> list) => list.Any(p => byId.ContainsKey(p.Id)) ? [.. list.Select(Apply)] : list;
        Control InControl(Control c) => c with { Params = All(c.Params), Controls = [.. c.Controls.Select(InControl)] };
        Group InGroup(Group g) => g with { Params = All(g.Params), Groups = [.. g.Groups.Select(InGroup)], Controls = [.. g.Controls.Select(InControl)] };
        return catalog with
        {
            Params = All(catalog.Params),
            Controls = [.. catalog.Controls.Select(InControl)],
            Groups = [.. catalog.Groups.Select(InGroup)],
        };
    }

    /// <summary>Applies the alterations to the controls they name (at any depth); reports what matched nothing.</summary>
    public static Catalog Alter(Catalog catalog, IReadOnlyList<Alter> alters, List<string> unmatched)
    {
        if (alters.Count == 0)
        {
            return catalog;
        }

        var byId = alters.GroupBy(a => a.ControlId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        Control InControl(Control c)
        {
            // Children first, so a removal of a child control by its parent's alteration sees the altered child.
            c = c.Controls.Count == 0 ? c : c with { Controls = [.. c.Controls.Select(InControl)] };
            if (!byId.TryGetValue(c.Id, out var forThis))
            {
                return c;
            }

            found.Add(c.Id);
            foreach (var alter in forThis)
            {
                c = Apply(c, alter, unmatched);
            }

            return c;
        }

        Group InGroup(Group g) => g with { Groups = [.. g.Groups.Select(InGroup)], Controls = [.. g.Controls.Select(InControl)] };
        var result = catalog with
        {
            Controls = [.. catalog.Controls.Select(InControl)],
            Groups = [.. catalog.Groups.Select(InGroup)],
        };
        unmatched.AddRange(byId.Keys.Where(id => !found.Contains(id)).Select(id => $"alter: no control \"{id}\""));
        return result;
    }

    private static Control Apply(Control control, Alter alter, List<string> unmatched)
    {
        foreach (var remove in alter.Removes)
        {
            var removed = 0;
            control = RemoveFrom(control, remove, ref removed);
            if (removed == 0)
            {
                unmatched.Add($"alter \"{alter.ControlId}\": a remove matched nothing");
            }
        }

        foreach (var add in alter.Adds)
        {
            if (add.ById is null)
            {
                // Implicit binding: before/after count as starting/ending.
                control = AddInto(control, add, add.Position is AddPosition.Starting or AddPosition.Before);
                continue;
            }

            var found = false;
            control = AddById(control, add, add.Position ?? AddPosition.Ending, ref found, unmatched);
            if (!found)
            {
                unmatched.Add($"alter \"{alter.ControlId}\": add by-id \"{add.ById}\" found nothing");
            }
        }

        return control;
    }

    // ---- removals ----

    private static bool Matches(Remove r, string itemName, string? id, string? name, string? ns, string? @class)
    {
        if (r.ById is null && r.ByName is null && r.ByNs is null && r.ByClass is null && r.ByItemName is null)
        {
            // A removal without criteria would remove everything; it removes nothing.
            return false;
        }

        return (r.ById is null || r.ById == id)
            && (r.ByName is null || r.ByName == name)
            && (r.ByNs is null || r.ByNs == ns)
            && (r.ByClass is null || r.ByClass == @class)
            && (r.ByItemName is null || r.ByItemName == itemName);
    }

    private static Control RemoveFrom(Control c, Remove r, ref int removed)
    {
        var count = 0;
        var result = c with
        {
            Params = Filter(c.Params, p => Matches(r, "param", p.Id, null, null, p.Class), p => p with { Props = RemoveProps(p.Props, r, ref count), Links = RemoveLinks(p.Links, r, ref count) }, ref count),
            Props = RemoveProps(c.Props, r, ref count),
            Links = RemoveLinks(c.Links, r, ref count),
            Parts = RemoveParts(c.Parts, r, ref count),
            Controls = Filter(c.Controls, x => Matches(r, "control", x.Id, null, null, x.Class), x => x, ref count),
        };
        removed += count;
        return count == 0 ? c : result;
    }

    private static IReadOnlyList<Part> RemoveParts(IReadOnlyList<Part> parts, Remove r, ref int count)
    {
        var inner = 0;
        var result = Filter(parts, p => Matches(r, "part", p.Id, p.Name, p.Ns, p.Class), p => p with
        {
            Props = RemoveProps(p.Props, r, ref inner),
            Links = RemoveLinks(p.Links, r, ref inner),
            Parts = RemoveParts(p.Parts, r, ref inner),
        }, ref count);
        count += inner;
        return result;
    }

    private static IReadOnlyList<Property> RemoveProps(IReadOnlyList<Property> props, Remove r, ref int count) =>
        Filter(props, p => Matches(r, "prop", null, p.Name, p.Ns, p.Class), p => p, ref count);

    private static IReadOnlyList<Link> RemoveLinks(IReadOnlyList<Link> links, Remove r, ref int count) =>
        Filter(links, _ => Matches(r, "link", null, null, null, null), l => l, ref count);

    private static IReadOnlyList<T> Filter<T>(IReadOnlyList<T> items, Func<T, bool> remove, Func<T, T> keep, ref int count)
    {
        if (items.Count == 0)
        {
            return items;
        }

        var result = new List<T>(items.Count);
        foreach (var item in items)
        {
            if (remove(item))
            {
                count++;
            }
            else
            {
                result.Add(keep(item));
            }
        }

        return result;
    }

    // ---- additions ----

    private static IReadOnlyList<T> Concat<T>(IReadOnlyList<T> existing, IReadOnlyList<T> added, bool atStart) =>
        added.Count == 0 ? existing : atStart ? [.. added, .. existing] : [.. existing, .. added];

    private static Control AddInto(Control c, Add a, bool atStart) => c with
    {
        Title = a.Title ?? c.Title,
        Params = Concat(c.Params, a.Params, atStart),
        Props = Concat(c.Props, a.Props, atStart),
        Links = Concat(c.Links, a.Links, atStart),
        Parts = Concat(c.Parts, a.Parts, atStart),
    };

    private static bool Adjacent(AddPosition position) => position is AddPosition.Before or AddPosition.After;

    /// <summary>
    /// An explicitly bound addition. Inside the target (starting/ending) the content joins the target's own lists;
    /// next to it (before/after) content of the target's kind is inserted beside it and other content joins the
    /// container's lists at their start (before) or end (after), as JSON keeps each kind in its own list.
    /// </summary>
    private static Control AddById(Control control, Add add, AddPosition position, ref bool found, List<string> unmatched)
    {
        var before = position == AddPosition.Before;
        for (var i = 0; i < control.Params.Count; i++)
        {
            var p = control.Params[i];
            if (p.Id != add.ById)
            {
                continue;
            }

            found = true;
            if (Adjacent(position))
            {
                return control with
                {
                    Params = Insert(control.Params, before ? i : i + 1, add.Params),
                    Props = Concat(control.Props, add.Props, before),
                    Links = Concat(control.Links, add.Links, before),
                    Parts = Concat(control.Parts, add.Parts, before),
                };
            }

            if (add.Params.Count > 0 || add.Parts.Count > 0 || add.Title is not null)
            {
                unmatched.Add($"add by-id \"{add.ById}\": a parameter holds no parameters, parts or title; those were not added");
            }

            var starting = position == AddPosition.Starting;
            return control with
            {
                Params = Replace(control.Params, i, p with { Props = Concat(p.Props, add.Props, starting), Links = Concat(p.Links, add.Links, starting) }),
            };
        }

        var parts = AddInParts(control.Parts, add, position, ref found, out var targetIsDirectChild, unmatched);
        if (found)
        {
            return targetIsDirectChild
                ? control with
                {
                    Parts = parts,
                    Params = Concat(control.Params, add.Params, before),
                    Props = Concat(control.Props, add.Props, before),
                    Links = Concat(control.Links, add.Links, before),
                }
                : control with { Parts = parts };
        }

        for (var i = 0; i < control.Controls.Count; i++)
        {
            var child = control.Controls[i];
            if (child.Id == add.ById)
            {
                found = true;
                return Adjacent(position)
                    ? AddInto(control, add with { Title = null }, before)
                    : control with { Controls = Replace(control.Controls, i, AddInto(child, add, position == AddPosition.Starting)) };
            }

            var altered = AddById(child, add, position, ref found, unmatched);
            if (found)
            {
                return control with { Controls = Replace(control.Controls, i, altered) };
            }
        }

        return control;
    }

    private static IReadOnlyList<Part> AddInParts(IReadOnlyList<Part> parts, Add add, AddPosition position, ref bool found, out bool targetHere, List<string> unmatched)
    {
        targetHere = false;
        var before = position == AddPosition.Before;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part.Id == add.ById)
            {
                found = true;
                if (Adjacent(position))
                {
                    targetHere = true;
                    return Insert(parts, before ? i : i + 1, add.Parts);
                }

                if (add.Params.Count > 0)
                {
                    unmatched.Add($"add by-id \"{add.ById}\": a part holds no parameters; they were not added");
                }

                var starting = position == AddPosition.Starting;
                return Replace(parts, i, part with
                {
                    Title = add.Title ?? part.Title,
                    Props = Concat(part.Props, add.Props, starting),
                    Links = Concat(part.Links, add.Links, starting),
                    Parts = Concat(part.Parts, add.Parts, starting),
                });
            }

            var inner = AddInParts(part.Parts, add, position, ref found, out var innerTargetHere, unmatched);
            if (!found)
            {
                continue;
            }

            part = part with { Parts = inner };
            if (innerTargetHere)
            {
                if (add.Params.Count > 0)
                {
                    unmatched.Add($"add by-id \"{add.ById}\": a part holds no parameters; they were not added");
                }

                part = part with { Props = Concat(part.Props, add.Props, before), Links = Concat(part.Links, add.Links, before) };
            }

            return Replace(parts, i, part);
        }

        return parts;
    }

    private static IReadOnlyList<T> Insert<T>(IReadOnlyList<T> list, int index, IReadOnlyList<T> items)
    {
        if (items.Count == 0)
        {
            return list;
        }

        var result = new List<T>(list.Count + items.Count);
        result.AddRange(list.Take(index));
        result.AddRange(items);
        result.AddRange(list.Skip(index));
        return result;
    }

    private static IReadOnlyList<T> Replace<T>(IReadOnlyList<T> list, int index, T item)
    {
        var result = list.ToArray();
        result[index] = item;
        return result;
    }
}
