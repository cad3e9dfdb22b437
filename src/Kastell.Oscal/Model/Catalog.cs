namespace Kastell.Oscal.Model;

/// <summary>An OSCAL <c>catalog</c>: controls, optionally organized in groups, with loose parameters and back matter.</summary>
public sealed record Catalog
{
    /// <summary>The document identifier.</summary>
    public required string Uuid { get; init; }

    /// <summary>Title, versions and dates.</summary>
    public required Metadata Metadata { get; init; }

    /// <summary>Parameters outside any control (<q>loose</q> parameters).</summary>
    public IReadOnlyList<Parameter> Params { get; init; } = [];

    /// <summary>Controls outside any group.</summary>
    public IReadOnlyList<Control> Controls { get; init; } = [];

    /// <summary>Groups of controls.</summary>
    public IReadOnlyList<Group> Groups { get; init; } = [];

    /// <summary>Resources referred to by <c>#uuid</c>.</summary>
    public BackMatter? BackMatter { get; init; }

    /// <summary>Every control of the catalog, depth first in document order (groups before their nested groups).</summary>
    public IEnumerable<Control> AllControls()
    {
        foreach (var control in Controls)
        {
            foreach (var c in control.SelfAndDescendants())
            {
                yield return c;
            }
        }

        foreach (var group in Groups)
        {
            foreach (var c in group.AllControls())
            {
                yield return c;
            }
        }
    }
}

/// <summary>An OSCAL <c>group</c>: a titled collection of controls and groups.</summary>
public sealed record Group
{
    /// <summary>The group identifier; optional in OSCAL.</summary>
    public string? Id { get; init; }

    /// <summary>A sub-type of the group.</summary>
    public string? Class { get; init; }

    /// <summary>The group title (Markdown line).</summary>
    public required string Title { get; init; }

    /// <summary>Parameters of the group (<q>loose</q> parameters).</summary>
    public IReadOnlyList<Parameter> Params { get; init; } = [];

    /// <summary>Properties of the group.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links of the group.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Text of the group (e.g. an overview).</summary>
    public IReadOnlyList<Part> Parts { get; init; } = [];

    /// <summary>Nested groups.</summary>
    public IReadOnlyList<Group> Groups { get; init; } = [];

    /// <summary>Controls directly in the group.</summary>
    public IReadOnlyList<Control> Controls { get; init; } = [];

    /// <summary>Every control in the group, depth first in document order.</summary>
    public IEnumerable<Control> AllControls()
    {
        foreach (var control in Controls)
        {
            foreach (var c in control.SelfAndDescendants())
            {
                yield return c;
            }
        }

        foreach (var group in Groups)
        {
            foreach (var c in group.AllControls())
            {
                yield return c;
            }
        }
    }
}

/// <summary>An OSCAL <c>control</c>: a requirement with parameters, text parts and nested controls (enhancements).</summary>
public sealed record Control
{
    /// <summary>The control identifier, unique in the document (e.g. <c>ac-2.1</c>, <c>ASST.1.1</c>).</summary>
    public required string Id { get; init; }

    /// <summary>A sub-type of the control.</summary>
    public string? Class { get; init; }

    /// <summary>The control title (Markdown line).</summary>
    public required string Title { get; init; }

    /// <summary>Parameters of the control.</summary>
    public IReadOnlyList<Parameter> Params { get; init; } = [];

    /// <summary>Properties of the control (labels, sort ids, levels…).</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links of the control (references, related controls).</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>The control text: statement, guidance and so on.</summary>
    public IReadOnlyList<Part> Parts { get; init; } = [];

    /// <summary>Nested controls (enhancements).</summary>
    public IReadOnlyList<Control> Controls { get; init; } = [];

    /// <summary>This control and every nested control, depth first in document order.</summary>
    public IEnumerable<Control> SelfAndDescendants()
    {
        // An explicit stack: documents are depth-limited when read, but a caller may build deeper models by hand.
        var stack = new Stack<Control>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var control = stack.Pop();
            yield return control;
            for (var i = control.Controls.Count - 1; i >= 0; i--)
            {
                stack.Push(control.Controls[i]);
            }
        }
    }
}
