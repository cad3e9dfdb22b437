namespace Kastell.Oscal.Model;

// The OSCAL 1.1 objects shared by catalogs, profiles and mapping collections. Field names follow the OSCAL JSON format;
// only the members Kastell uses are modelled, other members are skipped when reading (see OscalReader). Records are
// immutable; the resolver changes a control by copying it with `with`. Equality of list members is by reference.

/// <summary>An OSCAL <c>prop</c>: a name/value pair, optionally qualified by a namespace (<c>ns</c>) and a class.</summary>
public sealed record Property
{
    /// <summary>The property name (a token).</summary>
    public required string Name { get; init; }

    /// <summary>The property value.</summary>
    public required string Value { get; init; }

    /// <summary>An optional identifier of this property instance.</summary>
    public string? Uuid { get; init; }

    /// <summary>The namespace qualifying <see cref="Name"/>; absent means the OSCAL namespace.</summary>
    public string? Ns { get; init; }

    /// <summary>A sub-type of the property.</summary>
    public string? Class { get; init; }

    /// <summary>Groups related properties.</summary>
    public string? Group { get; init; }

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>An OSCAL <c>link</c>: a reference to a resource, a control (<c>#id</c>) or a back-matter resource (<c>#uuid</c>).</summary>
public sealed record Link
{
    /// <summary>The target, a URI reference.</summary>
    public required string Href { get; init; }

    /// <summary>The relation, e.g. <c>reference</c> or <c>related</c>.</summary>
    public string? Rel { get; init; }

    /// <summary>The media type of the target.</summary>
    public string? MediaType { get; init; }

    /// <summary>A fragment inside the target resource.</summary>
    public string? ResourceFragment { get; init; }

    /// <summary>The link text (Markdown line).</summary>
    public string? Text { get; init; }
}

/// <summary>An OSCAL <c>part</c>: a piece of control text (statement, item, guidance, assessment…), possibly nested.</summary>
public sealed record Part
{
    /// <summary>An identifier unique in the document, used by alterations (<c>by-id</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The kind of part, e.g. <c>statement</c>, <c>item</c> or <c>guidance</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace qualifying <see cref="Name"/>.</summary>
    public string? Ns { get; init; }

    /// <summary>A sub-type of the part.</summary>
    public string? Class { get; init; }

    /// <summary>A title (Markdown line).</summary>
    public string? Title { get; init; }

    /// <summary>Properties of the part.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>The text (Markdown), which may insert parameters with <c>{{ insert: param, id }}</c>.</summary>
    public string? Prose { get; init; }

    /// <summary>Nested parts.</summary>
    public IReadOnlyList<Part> Parts { get; init; } = [];

    /// <summary>Links of the part.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];
}

/// <summary>An OSCAL <c>param</c>: a value a control's text refers to, to be set by an organization or a profile.</summary>
public sealed record Parameter
{
    /// <summary>The parameter identifier, unique in the document.</summary>
    public required string Id { get; init; }

    /// <summary>A sub-type of the parameter.</summary>
    public string? Class { get; init; }

    /// <summary>Another parameter this one depends on (OSCAL 1.0; deprecated in 1.1).</summary>
    public string? DependsOn { get; init; }

    /// <summary>Properties of the parameter.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links of the parameter.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>A short placeholder text shown where no value is set.</summary>
    public string? Label { get; init; }

    /// <summary>How the parameter is used (Markdown).</summary>
    public string? Usage { get; init; }

    /// <summary>Constraints on the value.</summary>
    public IReadOnlyList<ParameterConstraint> Constraints { get; init; } = [];

    /// <summary>Guidance for choosing a value.</summary>
    public IReadOnlyList<ParameterGuideline> Guidelines { get; init; } = [];

    /// <summary>The set values; empty when unset. Mutually exclusive with <see cref="Select"/>.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>A choice among given values; mutually exclusive with <see cref="Values"/>.</summary>
    public ParameterSelection? Select { get; init; }

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A parameter's <c>select</c>: the allowed choices and how many may be chosen.</summary>
public sealed record ParameterSelection
{
    /// <summary><c>one</c> or <c>one-or-more</c>; absent means one.</summary>
    public string? HowMany { get; init; }

    /// <summary>The choices (Markdown lines).</summary>
    public IReadOnlyList<string> Choice { get; init; } = [];
}

/// <summary>A parameter's <c>constraint</c>: a description and machine-checkable tests of the value.</summary>
public sealed record ParameterConstraint
{
    /// <summary>What the constraint means (Markdown).</summary>
    public string? Description { get; init; }

    /// <summary>The tests.</summary>
    public IReadOnlyList<ConstraintTest> Tests { get; init; } = [];
}

/// <summary>One test of a <see cref="ParameterConstraint"/>.</summary>
public sealed record ConstraintTest
{
    /// <summary>The test expression.</summary>
    public required string Expression { get; init; }

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A parameter's <c>guideline</c>: prose guidance on the value.</summary>
public sealed record ParameterGuideline
{
    /// <summary>The guidance (Markdown).</summary>
    public required string Prose { get; init; }
}

/// <summary>A <c>document-id</c>: an identifier of the document in some scheme.</summary>
public sealed record DocumentId
{
    /// <summary>The scheme, a URI.</summary>
    public string? Scheme { get; init; }

    /// <summary>The identifier.</summary>
    public required string Identifier { get; init; }
}

/// <summary>
/// The document <c>metadata</c>: title, versions and dates. Roles, parties and responsible parties are not modelled
/// and are skipped when reading.
/// </summary>
public sealed record Metadata
{
    /// <summary>The document title (Markdown line).</summary>
    public required string Title { get; init; }

    /// <summary>When the document was published (date-time with time zone, as written).</summary>
    public string? Published { get; init; }

    /// <summary>When the document was last modified (date-time with time zone, as written).</summary>
    public required string LastModified { get; init; }

    /// <summary>The document's own version.</summary>
    public required string Version { get; init; }

    /// <summary>The OSCAL version the document conforms to, e.g. <c>1.1.3</c>.</summary>
    public required string OscalVersion { get; init; }

    /// <summary>Identifiers of the document.</summary>
    public IReadOnlyList<DocumentId> DocumentIds { get; init; } = [];

    /// <summary>Properties of the document.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links of the document.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>The <c>back-matter</c>: resources that links and imports refer to by <c>#uuid</c>.</summary>
public sealed record BackMatter
{
    /// <summary>The resources.</summary>
    public IReadOnlyList<Resource> Resources { get; init; } = [];
}

/// <summary>A back-matter <c>resource</c>: a citation, remote links (<c>rlinks</c>) or embedded content (<c>base64</c>).</summary>
public sealed record Resource
{
    /// <summary>The identifier links refer to as <c>#uuid</c>.</summary>
    public required string Uuid { get; init; }

    /// <summary>A title (Markdown line).</summary>
    public string? Title { get; init; }

    /// <summary>A description (Markdown).</summary>
    public string? Description { get; init; }

    /// <summary>Properties of the resource; <c>keep</c> = <c>always</c> keeps it through profile resolution.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Identifiers of the resource.</summary>
    public IReadOnlyList<DocumentId> DocumentIds { get; init; } = [];

    /// <summary>A bibliographic citation.</summary>
    public Citation? Citation { get; init; }

    /// <summary>Where the resource can be fetched, each a URI reference.</summary>
    public IReadOnlyList<ResourceLink> Rlinks { get; init; } = [];

    /// <summary>The resource embedded in the document.</summary>
    public Base64Content? Base64 { get; init; }

    /// <summary>Free remarks (Markdown).</summary>
    public string? Remarks { get; init; }
}

/// <summary>A resource's <c>citation</c>.</summary>
public sealed record Citation
{
    /// <summary>The citation text (Markdown line).</summary>
    public required string Text { get; init; }

    /// <summary>Properties of the citation.</summary>
    public IReadOnlyList<Property> Props { get; init; } = [];

    /// <summary>Links of the citation.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];
}

/// <summary>A resource's <c>rlink</c>: one place the resource can be fetched from.</summary>
public sealed record ResourceLink
{
    /// <summary>The URI reference, relative to the containing document.</summary>
    public required string Href { get; init; }

    /// <summary>The media type, e.g. <c>application/oscal.catalog+json</c>.</summary>
    public string? MediaType { get; init; }

    /// <summary>Hashes of the content.</summary>
    public IReadOnlyList<ContentHash> Hashes { get; init; } = [];
}

/// <summary>A <c>hash</c> of a resource's content.</summary>
public sealed record ContentHash
{
    /// <summary>The algorithm, e.g. <c>SHA-256</c>.</summary>
    public required string Algorithm { get; init; }

    /// <summary>The hash value in hexadecimal.</summary>
    public required string Value { get; init; }
}

/// <summary>A resource's <c>base64</c>: the content embedded in the document.</summary>
public sealed record Base64Content
{
    /// <summary>A file name for the content.</summary>
    public string? Filename { get; init; }

    /// <summary>The media type of the content.</summary>
    public string? MediaType { get; init; }

    /// <summary>The content, Base64-encoded (RFC 4648).</summary>
    public required string Value { get; init; }
}
