namespace Kastell.Oscal.Model;

/// <summary>
/// An OSCAL <c>profile</c>: a selection (<c>imports</c>), an arrangement (<c>merge</c>) and a tailoring
/// (<c>modify</c>) of controls from catalogs or other profiles. <see cref="Resolution.ProfileResolver"/> turns it into a
/// catalog.
/// </summary>
public sealed record Profile
{
    /// <summary>The document identifier.</summary>
    public required string Uuid { get; init; }

    /// <summary>Title, versions and dates.</summary>
    public required Metadata Metadata { get; init; }

    /// <summary>The catalogs and profiles controls are taken from, in order.</summary>
    public required IReadOnlyList<ProfileImport> Imports { get; init; }

    /// <summary>How the selected controls are combined and structured; absent means keep and flat.</summary>
    public Merge? Merge { get; init; }

    /// <summary>Parameter settings and alterations.</summary>
    public Modify? Modify { get; init; }

    /// <summary>Resources, among them those imports refer to as <c>#uuid</c>.</summary>
    public BackMatter? BackMatter { get; init; }
}

/// <summary>An <c>import</c>: one catalog or profile and which of its controls to take.</summary>
public sealed record ProfileImport
{
    /// <summary>The source: a URI reference relative to the profile, or <c>#uuid</c> of a back-matter resource.</summary>
    public required string Href { get; init; }

    /// <summary>Whether <c>include-all</c> is given: every control of the source.</summary>
    public bool IncludeAll { get; init; }

    /// <summary>Controls to take by id or pattern.</summary>
    public IReadOnlyList<ControlSelector> IncludeControls { get; init; } = [];

    /// <summary>Controls to leave out; exclusion wins over inclusion.</summary>
    public IReadOnlyList<ControlSelector> ExcludeControls { get; init; } = [];
}

/// <summary>A <c>select-control-by-id</c>: controls named by id or matched by a glob pattern on their ids.</summary>
public sealed record ControlSelector
{
    /// <summary>Whether the selected controls' descendants are selected with them; absent means no.</summary>
    public bool? WithChildControls { get; init; }

    /// <summary>Control ids.</summary>
    public IReadOnlyList<string> WithIds { get; init; } = [];

    /// <summary>Glob patterns (<c>*</c>, <c>?</c>) on control ids; a <c>matching</c> without pattern is read as "" and matches nothing.</summary>
    public IReadOnlyList<string> Matching { get; init; } = [];
}

/// <summary>How clashing controls (the same id from several imports) are handled.</summary>
public enum CombineMethod
{
    /// <summary>Keep every copy (the default); the result then has duplicate ids.</summary>
    Keep,

    /// <summary>Keep the first copy in depth-first import order.</summary>
    UseFirst,

    /// <summary>Deprecated and undefined by the specification; the resolver refuses it.</summary>
    Merge,
}

/// <summary>The <c>merge</c> directive: a combination method and at most one structuring directive.</summary>
public sealed record Merge
{
    /// <summary>The <c>combine/method</c>; absent means <see cref="CombineMethod.Keep"/>.</summary>
    public CombineMethod? Combine { get; init; }

    /// <summary>Whether <c>flat</c> is given: no groups, no nesting.</summary>
    public bool Flat { get; init; }

    /// <summary>The <c>as-is</c> flag: keep the structure of the sources. Null when absent.</summary>
    public bool? AsIs { get; init; }

    /// <summary>A structure given by the profile.</summary>
    public CustomStructure? Custom { get; init; }
}

/// <summary>The <c>custom</c> structuring directive: groups and control insertions.</summary>
public sealed record CustomStructure
{
    /// <summary>Groups of the resulting catalog.</summary>
    public IReadOnlyList<CustomGroup> Groups { get; init; } = [];

    /// <summary>Controls inserted at the top level.</summary>
    public IReadOnlyList<InsertControls> InsertControls { get; init; } = [];
}

/// <summary>A group in a <c>custom</c> structure.</summary>
public sealed record CustomGroup
{
    /// <summary>The group identifier.</summary>
    public string? Id { get; init; }

    /// <summary>A sub-type of the group.</summary>
    public string? Class { get; init; }

    /// <summary>The group title.</summary>
    public required string Title { get; init; }

    /// <summary>Parameters of the group.</summary>
    public IReadOnlyList<Parameter> Params { get; init; } = [];

    /// <summary>Properties of the group.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links of the group.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Text of the group.</summary>
    public IReadOnlyList<Part> Parts { get; init; } = [];

    /// <summary>Nested groups.</summary>
    public IReadOnlyList<CustomGroup> Groups { get; init; } = [];

    /// <summary>Controls inserted into this group.</summary>
    public IReadOnlyList<InsertControls> InsertControls { get; init; } = [];
}

/// <summary>The order of controls inserted by <see cref="InsertControls"/>.</summary>
public enum InsertOrder
{
    /// <summary>As selected: depth-first import order (the default).</summary>
    Keep,

    /// <summary>Ascending by id (ordinal).</summary>
    Ascending,

    /// <summary>Descending by id (ordinal).</summary>
    Descending,
}

/// <summary>An <c>insert-controls</c>: which imported controls appear at this place of a custom structure.</summary>
public sealed record InsertControls
{
    /// <summary>The order; absent means <see cref="InsertOrder.Keep"/>.</summary>
    public InsertOrder? Order { get; init; }

    /// <summary>Whether <c>include-all</c> is given.</summary>
    public bool IncludeAll { get; init; }

    /// <summary>Controls to insert by id or pattern.</summary>
    public IReadOnlyList<ControlSelector> IncludeControls { get; init; } = [];

    /// <summary>Controls not to insert.</summary>
    public IReadOnlyList<ControlSelector> ExcludeControls { get; init; } = [];
}

/// <summary>The <c>modify</c> directive: parameter settings and alterations, applied after merging.</summary>
public sealed record Modify
{
    /// <summary>Parameter settings, applied in order.</summary>
    public IReadOnlyList<SetParameter> SetParameters { get; init; } = [];

    /// <summary>Alterations of controls, applied in order.</summary>
    public IReadOnlyList<Alter> Alters { get; init; } = [];
}

/// <summary>A <c>set-parameter</c>: replaces or adds to the members of one parameter.</summary>
public sealed record SetParameter
{
    /// <summary>The id of the parameter to change.</summary>
    public required string ParamId { get; init; }

    /// <summary>Replaces the class.</summary>
    public string? Class { get; init; }

    /// <summary>Replaces depends-on.</summary>
    public string? DependsOn { get; init; }

    /// <summary>Added to the properties.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Added to the links.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Replaces the label.</summary>
    public string? Label { get; init; }

    /// <summary>Replaces the usage.</summary>
    public string? Usage { get; init; }

    /// <summary>Added to the constraints.</summary>
    public IReadOnlyList<ParameterConstraint> Constraints { get; init; } = [];

    /// <summary>Added to the guidelines.</summary>
    public IReadOnlyList<ParameterGuideline> Guidelines { get; init; } = [];

    /// <summary>Replaces values and selection when not empty.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>Replaces values and selection when given.</summary>
    public ParameterSelection? Select { get; init; }
}

/// <summary>An <c>alter</c>: removals and additions applied to one control.</summary>
public sealed record Alter
{
    /// <summary>The id of the control to change (at any nesting depth).</summary>
    public required string ControlId { get; init; }

    /// <summary>Removals, applied before the additions.</summary>
    public IReadOnlyList<Remove> Removes { get; init; } = [];

    /// <summary>Additions, applied in order.</summary>
    public IReadOnlyList<Add> Adds { get; init; } = [];
}

/// <summary>A <c>remove</c>: every object inside the control that meets all given criteria is removed.</summary>
public sealed record Remove
{
    /// <summary>Matches an object's <c>name</c> (parts, properties).</summary>
    public string? ByName { get; init; }

    /// <summary>Matches an object's <c>class</c>.</summary>
    public string? ByClass { get; init; }

    /// <summary>Matches an object's <c>id</c>.</summary>
    public string? ById { get; init; }

    /// <summary>Matches the kind of object: <c>param</c>, <c>prop</c>, <c>link</c>, <c>part</c>, <c>control</c>…</summary>
    public string? ByItemName { get; init; }

    /// <summary>Matches an object's <c>ns</c>.</summary>
    public string? ByNs { get; init; }
}

/// <summary>Where an <see cref="Add"/> puts its content.</summary>
public enum AddPosition
{
    /// <summary>Directly before the target (explicit binding), or at the start (implicit).</summary>
    Before,

    /// <summary>Directly after the target (explicit binding), or at the end (implicit).</summary>
    After,

    /// <summary>At the start of the target's content.</summary>
    Starting,

    /// <summary>At the end of the target's content (the default).</summary>
    Ending,
}

/// <summary>An <c>add</c>: content added to a control, or next to or into an object inside it (<c>by-id</c>).</summary>
public sealed record Add
{
    /// <summary>The position; absent means <see cref="AddPosition.Ending"/>.</summary>
    public AddPosition? Position { get; init; }

    /// <summary>The id of an object inside the control; absent binds the addition to the control itself.</summary>
    public string? ById { get; init; }

    /// <summary>Replaces the title of the target when given.</summary>
    public string? Title { get; init; }

    /// <summary>Parameters to add.</summary>
    public IReadOnlyList<Parameter> Params { get; init; } = [];

    /// <summary>Properties to add.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links to add.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Parts to add.</summary>
    public IReadOnlyList<Part> Parts { get; init; } = [];
}
