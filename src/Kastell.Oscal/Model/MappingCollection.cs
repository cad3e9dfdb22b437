namespace Kastell.Oscal.Model;

/// <summary>
/// An OSCAL <c>mapping-collection</c> (OSCAL 1.2 mapping model): how the controls of a source catalog relate to the
/// controls of a target catalog. Only affirmative statements: nothing may be inferred from a control that is not mapped.
/// </summary>
public sealed record MappingCollection
{
    /// <summary>The document identifier.</summary>
    public required string Uuid { get; init; }

    /// <summary>Title, versions and dates.</summary>
    public required Metadata Metadata { get; init; }

    /// <summary>How the mappings were made.</summary>
    public MappingProvenance? Provenance { get; init; }

    /// <summary>The mappings, one per pair of source and target resources.</summary>
    public required IReadOnlyList<Mapping> Mappings { get; init; }

    /// <summary>Resources referred to by <c>#uuid</c>.</summary>
    public BackMatter? BackMatter { get; init; }
}

/// <summary>The <c>provenance</c> of a mapping collection or mapping.</summary>
public sealed record MappingProvenance
{
    /// <summary>How the mapping was made, e.g. <c>human</c> or <c>automation</c>.</summary>
    public string? Method { get; init; }

    /// <summary>The basis of the matching, e.g. <c>semantic</c> or <c>syntactic</c>.</summary>
    public string? MatchingRationale { get; init; }

    /// <summary>The state of the mapping, e.g. <c>draft</c> or <c>complete</c>.</summary>
    public string? Status { get; init; }

    /// <summary>A description (Markdown).</summary>
    public string? MappingDescription { get; init; }

    /// <summary>Properties.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A <c>mapping</c>: the maps between one source resource and one target resource.</summary>
public sealed record Mapping
{
    /// <summary>The mapping identifier.</summary>
    public required string Uuid { get; init; }

    /// <summary>How the mapping was made.</summary>
    public string? Method { get; init; }

    /// <summary>The basis of the matching.</summary>
    public string? MatchingRationale { get; init; }

    /// <summary>The state of the mapping.</summary>
    public string? Status { get; init; }

    /// <summary>The catalog the map sources refer to.</summary>
    public required MappingResourceReference SourceResource { get; init; }

    /// <summary>The catalog the map targets refer to.</summary>
    public required MappingResourceReference TargetResource { get; init; }

    /// <summary>The maps.</summary>
    public required IReadOnlyList<MappingEntry> Maps { get; init; }

    /// <summary>Properties.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A <c>source-resource</c> or <c>target-resource</c> of a mapping.</summary>
public sealed record MappingResourceReference
{
    /// <summary>The kind of resource, e.g. <c>catalog</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Where the resource is, a URI reference.</summary>
    public required string Href { get; init; }

    /// <summary>Properties.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A <c>map</c>: a relationship between a set of source controls and a set of target controls.</summary>
public sealed record MappingEntry
{
    /// <summary>The map identifier.</summary>
    public required string Uuid { get; init; }

    /// <summary>The relationship of the sources' requirements to the targets' (see <see cref="MappingRelationships"/>).</summary>
    public required string Relationship { get; init; }

    /// <summary>The namespace of <see cref="Relationship"/>; absent means the OSCAL namespace.</summary>
    public string? RelationshipNs { get; init; }

    /// <summary>The source controls or statements.</summary>
    public required IReadOnlyList<MappingItem> Sources { get; init; }

    /// <summary>The target controls or statements.</summary>
    public required IReadOnlyList<MappingItem> Targets { get; init; }

    /// <summary>Properties.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A source or target of a map: a control or a statement, by id.</summary>
public sealed record MappingItem
{
    /// <summary><c>control</c> or <c>statement</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The id of the control or statement in the mapping's resource.</summary>
    public required string IdRef { get; init; }

    /// <summary>Properties.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>The relationship values the OSCAL mapping model defines in its own namespace.</summary>
public static class MappingRelationships
{
    /// <summary>The same effective requirements, possibly in other words (symmetric).</summary>
    public const string EquivalentTo = "equivalent-to";

    /// <summary>The same requirements, up to spelling (symmetric).</summary>
    public const string EqualTo = "equal-to";

    /// <summary>The source's requirements are contained in the target's (inverse of superset-of).</summary>
    public const string SubsetOf = "subset-of";

    /// <summary>The source's requirements contain the target's (inverse of subset-of).</summary>
    public const string SupersetOf = "superset-of";

    /// <summary>Some requirements in common, neither contains the other (symmetric).</summary>
    public const string IntersectsWith = "intersects-with";

    /// <summary>Whether <paramref name="relationship"/> is one of the values above.</summary>
    public static bool IsDefined(string relationship) =>
        relationship is EquivalentTo or EqualTo or SubsetOf or SupersetOf or IntersectsWith;

    /// <summary>
    /// The relationship read from target to source: subset-of and superset-of swap, the symmetric ones stay. Null for
    /// a value this model does not define, whose inverse is unknown.
    /// </summary>
    public static string? Inverse(string relationship) => relationship switch
    {
        SubsetOf => SupersetOf,
        SupersetOf => SubsetOf,
        EquivalentTo or EqualTo or IntersectsWith => relationship,
        _ => null,
    };
}
