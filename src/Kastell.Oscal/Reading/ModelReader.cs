using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kastell.Oscal.Model;

namespace Kastell.Oscal.Reading;

/// <summary>
/// Recursive descent over <see cref="JsonTokenStream"/> into the model. Strict on JSON types and required members,
/// tolerant of unknown members (skipped, so documents of later OSCAL versions and extensions still read), refusing
/// duplicate members. The first problem stops reading; it is reported with the JSON pointer of the value.
/// </summary>
internal sealed class ModelReader
{
    private readonly JsonTokenStream _tokens;
    private readonly OscalReaderOptions _options;
    private readonly List<Segment> _path = [];
    private readonly List<HashSet<string>> _seenByDepth = [];
    private long _values;
    private OscalError? _error;

    public ModelReader(JsonTokenStream tokens, OscalReaderOptions options)
    {
        _tokens = tokens;
        _options = options;
    }

    private bool Failed => _error is not null;

    public OscalResult<OscalDocument> ReadDocument()
    {
        var document = ReadRoot();
        if (document is not null && !Failed && _tokens.Next())
        {
            // Utf8JsonReader already refuses a second top-level value; this is a guard, not a path taken.
            Fail<object>(OscalErrorCode.InvalidJson, "content after the document");
        }

        CheckStream();
        return _error is null && document is not null
            ? OscalResult<OscalDocument>.Success(document)
            : OscalResult<OscalDocument>.Failure(_error ?? new OscalError(OscalErrorCode.InvalidJson, "", "empty document"));
    }

    private OscalDocument? ReadRoot()
    {
        if (!BeginObject())
        {
            return null;
        }

        OscalDocument? document = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "catalog" when document is null:
                    document = ReadCatalog() is { } catalog ? OscalDocument.Of(catalog) : null;
                    break;
                case "profile" when document is null:
                    document = ReadProfile() is { } profile ? OscalDocument.Of(profile) : null;
                    break;
                case "mapping-collection" when document is null:
                    document = ReadMappingCollection() is { } mapping ? OscalDocument.Of(mapping) : null;
                    break;
                case "catalog" or "profile" or "mapping-collection":
                    return Fail<OscalDocument>(OscalErrorCode.UnsupportedDocument, "a document has exactly one root: catalog, profile or mapping-collection");
                case "$schema":
                    ReadString();
                    break;
                case "component-definition" or "system-security-plan" or "assessment-plan" or "assessment-results" or "plan-of-action-and-milestones":
                    return Fail<OscalDocument>(OscalErrorCode.UnsupportedDocument, $"{key} documents are not read; expected a catalog, profile or mapping-collection");
                default:
                    Skip();
                    break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed)
        {
            return null;
        }

        return document ?? Fail<OscalDocument>(OscalErrorCode.UnsupportedDocument, "not an OSCAL catalog, profile or mapping-collection (no such member at the root)");
    }

    // ---- catalogs ----

    private Catalog? ReadCatalog()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? uuid = null;
        Metadata? metadata = null;
        IReadOnlyList<Parameter>? parameters = null;
        IReadOnlyList<Control>? controls = null;
        IReadOnlyList<Group>? groups = null;
        BackMatter? backMatter = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "uuid": uuid = ReadString(); break;
                case "metadata": metadata = ReadMetadata(); break;
                case "params": parameters = ReadArray(ReadParameter); break;
                case "controls": controls = ReadArray(() => ReadControl(1)); break;
                case "groups": groups = ReadArray(() => ReadGroup(1)); break;
                case "back-matter": backMatter = ReadBackMatter(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(uuid, "uuid") || !Has(metadata, "metadata"))
        {
            return null;
        }

        return new Catalog
        {
            Uuid = uuid,
            Metadata = metadata,
            Params = parameters ?? [],
            Controls = controls ?? [],
            Groups = groups ?? [],
            BackMatter = backMatter,
        };
    }

    private Group? ReadGroup(int level)
    {
        if (level > _options.MaxOscalNesting)
        {
            return Fail<Group>(OscalErrorCode.OscalNestingTooDeep, $"groups nested deeper than {_options.MaxOscalNesting} levels");
        }

        if (!BeginObject())
        {
            return null;
        }

        string? id = null, @class = null, title = null;
        IReadOnlyList<Parameter>? parameters = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        IReadOnlyList<Part>? parts = null;
        IReadOnlyList<Group>? groups = null;
        IReadOnlyList<Control>? controls = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "id": id = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "title": title = ReadString(); break;
                case "params": parameters = ReadArray(ReadParameter); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "parts": parts = ReadArray(() => ReadPart(1)); break;
                case "groups": groups = ReadArray(() => ReadGroup(level + 1)); break;
                case "controls": controls = ReadArray(() => ReadControl(1)); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(title, "title"))
        {
            return null;
        }

        return new Group
        {
            Id = id,
            Class = @class,
            Title = title,
            Params = parameters ?? [],
            Props = props ?? [],
            Links = links ?? [],
            Parts = parts ?? [],
            Groups = groups ?? [],
            Controls = controls ?? [],
        };
    }

    private Control? ReadControl(int level)
    {
        if (level > _options.MaxOscalNesting)
        {
            return Fail<Control>(OscalErrorCode.OscalNestingTooDeep, $"controls nested deeper than {_options.MaxOscalNesting} levels");
        }

        if (!BeginObject())
        {
            return null;
        }

        string? id = null, @class = null, title = null;
        IReadOnlyList<Parameter>? parameters = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        IReadOnlyList<Part>? parts = null;
        IReadOnlyList<Control>? controls = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "id": id = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "title": title = ReadString(); break;
                case "params": parameters = ReadArray(ReadParameter); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "parts": parts = ReadArray(() => ReadPart(1)); break;
                case "controls": controls = ReadArray(() => ReadControl(level + 1)); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(id, "id") || !Has(title, "title"))
        {
            return null;
        }

        return new Control
        {
            Id = id,
            Class = @class,
            Title = title,
            Params = parameters ?? [],
            Props = props ?? [],
            Links = links ?? [],
            Parts = parts ?? [],
            Controls = controls ?? [],
        };
    }

    private Part? ReadPart(int level)
    {
        if (level > _options.MaxOscalNesting)
        {
            return Fail<Part>(OscalErrorCode.OscalNestingTooDeep, $"parts nested deeper than {_options.MaxOscalNesting} levels");
        }

        if (!BeginObject())
        {
            return null;
        }

        string? id = null, name = null, ns = null, @class = null, title = null, prose = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Part>? parts = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "id": id = ReadString(); break;
                case "name": name = ReadString(); break;
                case "ns": ns = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "title": title = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "prose": prose = ReadString(); break;
                case "parts": parts = ReadArray(() => ReadPart(level + 1)); break;
                case "links": links = ReadArray(ReadLink); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(name, "name"))
        {
            return null;
        }

        return new Part
        {
            Id = id,
            Name = name,
            Ns = ns,
            Class = @class,
            Title = title,
            Props = props ?? [],
            Prose = prose,
            Parts = parts ?? [],
            Links = links ?? [],
        };
    }

    private Parameter? ReadParameter()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? id = null, @class = null, dependsOn = null, label = null, usage = null, remarks = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        IReadOnlyList<ParameterConstraint>? constraints = null;
        IReadOnlyList<ParameterGuideline>? guidelines = null;
        IReadOnlyList<string>? values = null;
        ParameterSelection? select = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "id": id = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "depends-on": dependsOn = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "label": label = ReadString(); break;
                case "usage": usage = ReadString(); break;
                case "constraints": constraints = ReadArray(ReadConstraint); break;
                case "guidelines": guidelines = ReadArray(ReadGuideline); break;
                case "values": values = ReadArray(ReadString); break;
                case "select": select = ReadSelection(); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(id, "id"))
        {
            return null;
        }

        return new Parameter
        {
            Id = id,
            Class = @class,
            DependsOn = dependsOn,
            Props = props ?? [],
            Links = links ?? [],
            Label = label,
            Usage = usage,
            Constraints = constraints ?? [],
            Guidelines = guidelines ?? [],
            Values = values ?? [],
            Select = select,
            Remarks = remarks,
        };
    }

    private ParameterSelection? ReadSelection()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? howMany = null;
        IReadOnlyList<string>? choice = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "how-many": howMany = ReadString(); break;
                case "choice": choice = ReadArray(ReadString); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new ParameterSelection { HowMany = howMany, Choice = choice ?? [] };
    }

    private ParameterConstraint? ReadConstraint()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? description = null;
        IReadOnlyList<ConstraintTest>? tests = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "description": description = ReadString(); break;
                case "tests": tests = ReadArray(ReadConstraintTest); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new ParameterConstraint { Description = description, Tests = tests ?? [] };
    }

    private ConstraintTest? ReadConstraintTest()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? expression = null, remarks = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "expression": expression = ReadString(); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(expression, "expression") ? null : new ConstraintTest { Expression = expression, Remarks = remarks };
    }

    private ParameterGuideline? ReadGuideline()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? prose = null;
        while (NextProperty(out var key))
        {
            if (key == "prose")
            {
                prose = ReadString();
            }
            else
            {
                Skip();
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(prose, "prose") ? null : new ParameterGuideline { Prose = prose };
    }

    private Property? ReadProperty()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? name = null, value = null, uuid = null, ns = null, @class = null, group = null, remarks = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "name": name = ReadString(); break;
                case "value": value = ReadString(); break;
                case "uuid": uuid = ReadString(); break;
                case "ns": ns = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "group": group = ReadString(); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(name, "name") || !Has(value, "value"))
        {
            return null;
        }

        return new Property { Name = name, Value = value, Uuid = uuid, Ns = ns, Class = @class, Group = group, Remarks = remarks };
    }

    private Link? ReadLink()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? href = null, rel = null, mediaType = null, fragment = null, text = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "href": href = ReadString(); break;
                case "rel": rel = ReadString(); break;
                case "media-type": mediaType = ReadString(); break;
                case "resource-fragment": fragment = ReadString(); break;
                case "text": text = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(href, "href"))
        {
            return null;
        }

        return new Link { Href = href, Rel = rel, MediaType = mediaType, ResourceFragment = fragment, Text = text };
    }

    // ---- metadata and back matter ----

    private Metadata? ReadMetadata()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? title = null, published = null, lastModified = null, version = null, oscalVersion = null, remarks = null;
        IReadOnlyList<DocumentId>? documentIds = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "title": title = ReadString(); break;
                case "published": published = ReadString(); break;
                case "last-modified": lastModified = ReadString(); break;
                case "version": version = ReadString(); break;
                case "oscal-version": oscalVersion = ReadString(); break;
                case "document-ids": documentIds = ReadArray(ReadDocumentId); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(title, "title") || !Has(lastModified, "last-modified") || !Has(version, "version") || !Has(oscalVersion, "oscal-version"))
        {
            return null;
        }

        return new Metadata
        {
            Title = title,
            Published = published,
            LastModified = lastModified,
            Version = version,
            OscalVersion = oscalVersion,
            DocumentIds = documentIds ?? [],
            Props = props ?? [],
            Links = links ?? [],
            Remarks = remarks,
        };
    }

    private DocumentId? ReadDocumentId()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? scheme = null, identifier = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "scheme": scheme = ReadString(); break;
                case "identifier": identifier = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(identifier, "identifier") ? null : new DocumentId { Scheme = scheme, Identifier = identifier };
    }

    private BackMatter? ReadBackMatter()
    {
        if (!BeginObject())
        {
            return null;
        }

        IReadOnlyList<Resource>? resources = null;
        while (NextProperty(out var key))
        {
            if (key == "resources")
            {
                resources = ReadArray(ReadResource);
            }
            else
            {
                Skip();
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new BackMatter { Resources = resources ?? [] };
    }

    private Resource? ReadResource()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? uuid = null, title = null, description = null, remarks = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<DocumentId>? documentIds = null;
        Citation? citation = null;
        IReadOnlyList<ResourceLink>? rlinks = null;
        Base64Content? base64 = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "uuid": uuid = ReadString(); break;
                case "title": title = ReadString(); break;
                case "description": description = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "document-ids": documentIds = ReadArray(ReadDocumentId); break;
                case "citation": citation = ReadCitation(); break;
                case "rlinks": rlinks = ReadArray(ReadResourceLink); break;
                case "base64": base64 = ReadBase64(); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(uuid, "uuid"))
        {
            return null;
        }

        return new Resource
        {
            Uuid = uuid,
            Title = title,
            Description = description,
            Props = props ?? [],
            DocumentIds = documentIds ?? [],
            Citation = citation,
            Rlinks = rlinks ?? [],
            Base64 = base64,
            Remarks = remarks,
        };
    }

    private Citation? ReadCitation()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? text = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "text": text = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(text, "text") ? null : new Citation { Text = text, Props = props ?? [], Links = links ?? [] };
    }

    private ResourceLink? ReadResourceLink()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? href = null, mediaType = null;
        IReadOnlyList<ContentHash>? hashes = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "href": href = ReadString(); break;
                case "media-type": mediaType = ReadString(); break;
                case "hashes": hashes = ReadArray(ReadHash); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(href, "href") ? null : new ResourceLink { Href = href, MediaType = mediaType, Hashes = hashes ?? [] };
    }

    private ContentHash? ReadHash()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? algorithm = null, value = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "algorithm": algorithm = ReadString(); break;
                case "value": value = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(algorithm, "algorithm") || !Has(value, "value") ? null : new ContentHash { Algorithm = algorithm, Value = value };
    }

    private Base64Content? ReadBase64()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? filename = null, mediaType = null, value = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "filename": filename = ReadString(); break;
                case "media-type": mediaType = ReadString(); break;
                case "value": value = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(value, "value") ? null : new Base64Content { Filename = filename, MediaType = mediaType, Value = value };
    }

    // ---- profiles ----

    private Profile? ReadProfile()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? uuid = null;
        Metadata? metadata = null;
        IReadOnlyList<ProfileImport>? imports = null;
        Merge? merge = null;
        Modify? modify = null;
        BackMatter? backMatter = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "uuid": uuid = ReadString(); break;
                case "metadata": metadata = ReadMetadata(); break;
                case "imports": imports = ReadArray(ReadImport); break;
                case "merge": merge = ReadMerge(); break;
                case "modify": modify = ReadModify(); break;
                case "back-matter": backMatter = ReadBackMatter(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(uuid, "uuid") || !Has(metadata, "metadata") || !Has(imports, "imports"))
        {
            return null;
        }

        return new Profile { Uuid = uuid, Metadata = metadata, Imports = imports, Merge = merge, Modify = modify, BackMatter = backMatter };
    }

    private ProfileImport? ReadImport()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? href = null;
        var includeAll = false;
        IReadOnlyList<ControlSelector>? include = null, exclude = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "href": href = ReadString(); break;
                case "include-all": includeAll = ReadEmptyObject(); break;
                case "include-controls": include = ReadArray(ReadSelector); break;
                case "exclude-controls": exclude = ReadArray(ReadSelector); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(href, "href"))
        {
            return null;
        }

        return new ProfileImport { Href = href, IncludeAll = includeAll, IncludeControls = include ?? [], ExcludeControls = exclude ?? [] };
    }

    private ControlSelector? ReadSelector()
    {
        if (!BeginObject())
        {
            return null;
        }

        bool? withChildControls = null;
        IReadOnlyList<string>? withIds = null;
        IReadOnlyList<string>? matching = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "with-child-controls":
                    withChildControls = ReadString() switch
                    {
                        "yes" => true,
                        "no" => false,
                        null => null,
                        _ => FailValue<bool>("expected \"yes\" or \"no\""),
                    };
                    break;
                case "with-ids": withIds = ReadArray(ReadString); break;
                case "matching": matching = ReadArray(ReadMatching); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new ControlSelector { WithChildControls = withChildControls, WithIds = withIds ?? [], Matching = matching ?? [] };
    }

    // A matching without a pattern is valid and matches nothing; it is kept as "" (no control id is empty).
    private string? ReadMatching()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? pattern = null;
        while (NextProperty(out var key))
        {
            if (key == "pattern")
            {
                pattern = ReadString();
            }
            else
            {
                Skip();
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : pattern ?? string.Empty;
    }

    private Merge? ReadMerge()
    {
        if (!BeginObject())
        {
            return null;
        }

        CombineMethod? combine = null;
        var flat = false;
        bool? asIs = null;
        CustomStructure? custom = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "combine": combine = ReadCombine(); break;
                case "flat": flat = ReadEmptyObject(); break;
                case "as-is": asIs = ReadBool(); break;
                case "custom": custom = ReadCustom(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new Merge { Combine = combine, Flat = flat, AsIs = asIs, Custom = custom };
    }

    private CombineMethod? ReadCombine()
    {
        if (!BeginObject())
        {
            return null;
        }

        CombineMethod? method = null;
        while (NextProperty(out var key))
        {
            if (key == "method")
            {
                method = ReadString() switch
                {
                    "keep" => CombineMethod.Keep,
                    "use-first" => CombineMethod.UseFirst,
                    "merge" => CombineMethod.Merge,
                    null => null,
                    _ => FailValue<CombineMethod>("expected \"keep\", \"use-first\" or \"merge\""),
                };
            }
            else
            {
                Skip();
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : method ?? CombineMethod.Keep;
    }

    private CustomStructure? ReadCustom()
    {
        if (!BeginObject())
        {
            return null;
        }

        IReadOnlyList<CustomGroup>? groups = null;
        IReadOnlyList<InsertControls>? inserts = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "groups": groups = ReadArray(() => ReadCustomGroup(1)); break;
                case "insert-controls": inserts = ReadArray(ReadInsertControls); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new CustomStructure { Groups = groups ?? [], InsertControls = inserts ?? [] };
    }

    private CustomGroup? ReadCustomGroup(int level)
    {
        if (level > _options.MaxOscalNesting)
        {
            return Fail<CustomGroup>(OscalErrorCode.OscalNestingTooDeep, $"groups nested deeper than {_options.MaxOscalNesting} levels");
        }

        if (!BeginObject())
        {
            return null;
        }

        string? id = null, @class = null, title = null;
        IReadOnlyList<Parameter>? parameters = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        IReadOnlyList<Part>? parts = null;
        IReadOnlyList<CustomGroup>? groups = null;
        IReadOnlyList<InsertControls>? inserts = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "id": id = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "title": title = ReadString(); break;
                case "params": parameters = ReadArray(ReadParameter); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "parts": parts = ReadArray(() => ReadPart(1)); break;
                case "groups": groups = ReadArray(() => ReadCustomGroup(level + 1)); break;
                case "insert-controls": inserts = ReadArray(ReadInsertControls); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(title, "title"))
        {
            return null;
        }

        return new CustomGroup
        {
            Id = id,
            Class = @class,
            Title = title,
            Params = parameters ?? [],
            Props = props ?? [],
            Links = links ?? [],
            Parts = parts ?? [],
            Groups = groups ?? [],
            InsertControls = inserts ?? [],
        };
    }

    private InsertControls? ReadInsertControls()
    {
        if (!BeginObject())
        {
            return null;
        }

        InsertOrder? order = null;
        var includeAll = false;
        IReadOnlyList<ControlSelector>? include = null, exclude = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "order":
                    order = ReadString() switch
                    {
                        "keep" => InsertOrder.Keep,
                        "ascending" => InsertOrder.Ascending,
                        "descending" => InsertOrder.Descending,
                        null => null,
                        _ => FailValue<InsertOrder>("expected \"keep\", \"ascending\" or \"descending\""),
                    };
                    break;
                case "include-all": includeAll = ReadEmptyObject(); break;
                case "include-controls": include = ReadArray(ReadSelector); break;
                case "exclude-controls": exclude = ReadArray(ReadSelector); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new InsertControls { Order = order, IncludeAll = includeAll, IncludeControls = include ?? [], ExcludeControls = exclude ?? [] };
    }

    private Modify? ReadModify()
    {
        if (!BeginObject())
        {
            return null;
        }

        IReadOnlyList<SetParameter>? settings = null;
        IReadOnlyList<Alter>? alters = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "set-parameters": settings = ReadArray(ReadSetParameter); break;
                case "alters": alters = ReadArray(ReadAlter); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new Modify { SetParameters = settings ?? [], Alters = alters ?? [] };
    }

    private SetParameter? ReadSetParameter()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? paramId = null, @class = null, dependsOn = null, label = null, usage = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        IReadOnlyList<ParameterConstraint>? constraints = null;
        IReadOnlyList<ParameterGuideline>? guidelines = null;
        IReadOnlyList<string>? values = null;
        ParameterSelection? select = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "param-id": paramId = ReadString(); break;
                case "class": @class = ReadString(); break;
                case "depends-on": dependsOn = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "label": label = ReadString(); break;
                case "usage": usage = ReadString(); break;
                case "constraints": constraints = ReadArray(ReadConstraint); break;
                case "guidelines": guidelines = ReadArray(ReadGuideline); break;
                case "values": values = ReadArray(ReadString); break;
                case "select": select = ReadSelection(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(paramId, "param-id"))
        {
            return null;
        }

        return new SetParameter
        {
            ParamId = paramId,
            Class = @class,
            DependsOn = dependsOn,
            Props = props ?? [],
            Links = links ?? [],
            Label = label,
            Usage = usage,
            Constraints = constraints ?? [],
            Guidelines = guidelines ?? [],
            Values = values ?? [],
            Select = select,
        };
    }

    private Alter? ReadAlter()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? controlId = null;
        IReadOnlyList<Remove>? removes = null;
        IReadOnlyList<Add>? adds = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "control-id": controlId = ReadString(); break;
                case "removes": removes = ReadArray(ReadRemove); break;
                case "adds": adds = ReadArray(ReadAdd); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(controlId, "control-id") ? null : new Alter { ControlId = controlId, Removes = removes ?? [], Adds = adds ?? [] };
    }

    private Remove? ReadRemove()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? byName = null, byClass = null, byId = null, byItemName = null, byNs = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "by-name": byName = ReadString(); break;
                case "by-class": byClass = ReadString(); break;
                case "by-id": byId = ReadString(); break;
                case "by-item-name": byItemName = ReadString(); break;
                case "by-ns": byNs = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new Remove { ByName = byName, ByClass = byClass, ById = byId, ByItemName = byItemName, ByNs = byNs };
    }

    private Add? ReadAdd()
    {
        if (!BeginObject())
        {
            return null;
        }

        AddPosition? position = null;
        string? byId = null, title = null;
        IReadOnlyList<Parameter>? parameters = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        IReadOnlyList<Part>? parts = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "position":
                    position = ReadString() switch
                    {
                        "before" => AddPosition.Before,
                        "after" => AddPosition.After,
                        "starting" => AddPosition.Starting,
                        "ending" => AddPosition.Ending,
                        null => null,
                        _ => FailValue<AddPosition>("expected \"before\", \"after\", \"starting\" or \"ending\""),
                    };
                    break;
                case "by-id": byId = ReadString(); break;
                case "title": title = ReadString(); break;
                case "params": parameters = ReadArray(ReadParameter); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "parts": parts = ReadArray(() => ReadPart(1)); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed)
        {
            return null;
        }

        return new Add { Position = position, ById = byId, Title = title, Params = parameters ?? [], Props = props ?? [], Links = links ?? [], Parts = parts ?? [] };
    }

    // ---- mapping collections ----

    private MappingCollection? ReadMappingCollection()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? uuid = null;
        Metadata? metadata = null;
        MappingProvenance? provenance = null;
        IReadOnlyList<Mapping>? mappings = null;
        BackMatter? backMatter = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "uuid": uuid = ReadString(); break;
                case "metadata": metadata = ReadMetadata(); break;
                case "provenance": provenance = ReadProvenance(); break;
                case "mappings": mappings = ReadArray(ReadMapping); break;
                case "back-matter": backMatter = ReadBackMatter(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(uuid, "uuid") || !Has(metadata, "metadata") || !Has(mappings, "mappings"))
        {
            return null;
        }

        return new MappingCollection { Uuid = uuid, Metadata = metadata, Provenance = provenance, Mappings = mappings, BackMatter = backMatter };
    }

    private MappingProvenance? ReadProvenance()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? method = null, rationale = null, status = null, description = null, remarks = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "method": method = ReadString(); break;
                case "matching-rationale": rationale = ReadString(); break;
                case "status": status = ReadString(); break;
                case "mapping-description": description = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed ? null : new MappingProvenance
        {
            Method = method,
            MatchingRationale = rationale,
            Status = status,
            MappingDescription = description,
            Props = props ?? [],
            Links = links ?? [],
            Remarks = remarks,
        };
    }

    private Mapping? ReadMapping()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? uuid = null, method = null, rationale = null, status = null, remarks = null;
        MappingResourceReference? source = null, target = null;
        IReadOnlyList<MappingEntry>? maps = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "uuid": uuid = ReadString(); break;
                case "method": method = ReadString(); break;
                case "matching-rationale": rationale = ReadString(); break;
                case "status": status = ReadString(); break;
                case "source-resource": source = ReadResourceReference(); break;
                case "target-resource": target = ReadResourceReference(); break;
                case "maps": maps = ReadArray(ReadMap); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(uuid, "uuid") || !Has(source, "source-resource") || !Has(target, "target-resource") || !Has(maps, "maps"))
        {
            return null;
        }

        return new Mapping
        {
            Uuid = uuid,
            Method = method,
            MatchingRationale = rationale,
            Status = status,
            SourceResource = source,
            TargetResource = target,
            Maps = maps,
            Props = props ?? [],
            Links = links ?? [],
            Remarks = remarks,
        };
    }

    private MappingResourceReference? ReadResourceReference()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? type = null, href = null, remarks = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "type": type = ReadString(); break;
                case "href": href = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(type, "type") || !Has(href, "href"))
        {
            return null;
        }

        return new MappingResourceReference { Type = type, Href = href, Props = props ?? [], Links = links ?? [], Remarks = remarks };
    }

    private MappingEntry? ReadMap()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? uuid = null, remarks = null;
        (string Type, string? Ns)? relationship = null;
        IReadOnlyList<MappingItem>? sources = null, targets = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "uuid": uuid = ReadString(); break;
                case "relationship": relationship = ReadRelationship(); break;
                case "sources": sources = ReadArray(ReadMappingItem); break;
                case "targets": targets = ReadArray(ReadMappingItem); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(uuid, "uuid") || !Has(relationship, "relationship") || !Has(sources, "sources") || !Has(targets, "targets"))
        {
            return null;
        }

        return new MappingEntry
        {
            Uuid = uuid,
            Relationship = relationship.Value.Type,
            RelationshipNs = relationship.Value.Ns,
            Sources = sources,
            Targets = targets,
            Props = props ?? [],
            Links = links ?? [],
            Remarks = remarks,
        };
    }

    // The published files write the relationship as a plain string; the metaschema defines a field with an `ns` flag,
    // which JSON renders as an object with the value under `type`. Both are read.
    private (string Type, string? Ns)? ReadRelationship()
    {
        if (!_tokens.Next())
        {
            return StreamFailed<(string, string?)?>();
        }

        if (_tokens.TokenType == JsonTokenType.String)
        {
            CountValue();
            return (_tokens.Text!, null);
        }

        _tokens.Unread();
        if (!BeginObject("expected a string or an object"))
        {
            return null;
        }

        string? type = null, ns = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "type": type = ReadString(); break;
                case "ns": ns = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        return Failed || !Has(type, "type") ? null : (type, ns);
    }

    private MappingItem? ReadMappingItem()
    {
        if (!BeginObject())
        {
            return null;
        }

        string? type = null, idRef = null, remarks = null;
        IReadOnlyList<Property>? props = null;
        IReadOnlyList<Link>? links = null;
        while (NextProperty(out var key))
        {
            switch (key)
            {
                case "type": type = ReadString(); break;
                case "id-ref": idRef = ReadString(); break;
                case "props": props = ReadArray(ReadProperty); break;
                case "links": links = ReadArray(ReadLink); break;
                case "remarks": remarks = ReadString(); break;
                default: Skip(); break;
            }

            if (Failed)
            {
                return null;
            }
        }

        if (Failed || !Has(type, "type") || !Has(idRef, "id-ref"))
        {
            return null;
        }

        return new MappingItem { Type = type, IdRef = idRef, Props = props ?? [], Links = links ?? [], Remarks = remarks };
    }

    // ---- primitives ----

    private bool BeginObject(string expectation = "expected an object")
    {
        if (!_tokens.Next())
        {
            return StreamFailed<object>() is not null;
        }

        if (_tokens.TokenType != JsonTokenType.StartObject)
        {
            return Fail<object>(OscalErrorCode.WrongType, $"{expectation}, found {Found()}") is not null;
        }

        CountValue();
        var depth = _tokens.Depth;
        while (_seenByDepth.Count <= depth)
        {
            _seenByDepth.Add(new HashSet<string>(StringComparer.Ordinal));
        }

        _seenByDepth[depth].Clear();
        _path.Add(new Segment(null, -1));
        return !Failed;
    }

    /// <summary>The next member of the current object; false at its end (the object is then closed) or on an error.</summary>
    private bool NextProperty(out string name)
    {
        name = "";
        if (Failed)
        {
            return false;
        }

        if (!_tokens.Next())
        {
            return StreamFailed<object>() is not null;
        }

        if (_tokens.TokenType == JsonTokenType.EndObject)
        {
            _path.RemoveAt(_path.Count - 1);
            return false;
        }

        name = _tokens.Text!;
        _path[^1] = new Segment(name, -1);
        if (!_seenByDepth[_tokens.Depth].Add(name))
        {
            return Fail<object>(OscalErrorCode.DuplicateProperty, "the property appears twice in its object") is not null;
        }

        return true;
    }

    private IReadOnlyList<T>? ReadArray<T>(Func<T?> element)
        where T : class
    {
        if (!_tokens.Next())
        {
            return StreamFailed<IReadOnlyList<T>>();
        }

        if (_tokens.TokenType != JsonTokenType.StartArray)
        {
            return Fail<IReadOnlyList<T>>(OscalErrorCode.WrongType, $"expected an array, found {Found()}");
        }

        var items = new List<T>();
        _path.Add(new Segment(null, 0));
        while (true)
        {
            if (!_tokens.Next())
            {
                return StreamFailed<IReadOnlyList<T>>();
            }

            if (_tokens.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            _tokens.Unread();
            _path[^1] = new Segment(null, items.Count);
            var item = element();
            if (item is null || Failed)
            {
                return null;
            }

            items.Add(item);
        }

        _path.RemoveAt(_path.Count - 1);
        return items.Count == 0 ? [] : items.ToArray();
    }

    private string? ReadString()
    {
        if (!_tokens.Next())
        {
            return StreamFailed<string>();
        }

        if (_tokens.TokenType != JsonTokenType.String)
        {
            return Fail<string>(OscalErrorCode.WrongType, $"expected a string, found {Found()}");
        }

        CountValue();
        return _tokens.Text;
    }

    private bool? ReadBool()
    {
        if (!_tokens.Next())
        {
            StreamFailed<object>();
            return null;
        }

        if (_tokens.TokenType is not (JsonTokenType.True or JsonTokenType.False))
        {
            Fail<object>(OscalErrorCode.WrongType, $"expected true or false, found {Found()}");
            return null;
        }

        CountValue();
        return _tokens.TokenType == JsonTokenType.True;
    }

    /// <summary>Reads an object whose members do not matter (<c>include-all</c>, <c>flat</c>); true when read.</summary>
    private bool ReadEmptyObject()
    {
        if (!BeginObject())
        {
            return false;
        }

        while (NextProperty(out _))
        {
            Skip();
        }

        return !Failed;
    }

    /// <summary>Skips one value of any kind; what it contains is not kept and does not count against MaxValues.</summary>
    private void Skip()
    {
        if (!_tokens.Next())
        {
            StreamFailed<object>();
            return;
        }

        if (_tokens.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }

        var depth = _tokens.Depth;
        while (_tokens.Depth >= depth)
        {
            if (!_tokens.Next())
            {
                StreamFailed<object>();
                return;
            }
        }
    }

    private void CountValue()
    {
        if (++_values > _options.MaxValues)
        {
            Fail<object>(OscalErrorCode.TooManyValues, $"more than {_options.MaxValues} values");
        }
    }

    private bool Has<T>([NotNullWhen(true)] T? value, string name)
    {
        if (Failed)
        {
            return false;
        }

        if (value is not null)
        {
            return true;
        }

        _error = new OscalError(OscalErrorCode.MissingProperty, Pointer() + "/" + Escape(name), "required property is missing", null, _tokens.TokenOffset);
        return false;
    }

    private T? Fail<T>(OscalErrorCode code, string message)
        where T : class
    {
        _error ??= new OscalError(code, Pointer(), message, null, _tokens.TokenOffset);
        return null;
    }

    private T FailValue<T>(string message)
        where T : struct
    {
        Fail<object>(OscalErrorCode.InvalidValue, $"{message}, found \"{_tokens.Text}\"");
        return default;
    }

    /// <summary>Reports the token stream's own error (malformed JSON, limits) at the current pointer.</summary>
    private T? StreamFailed<T>()
    {
        CheckStream();
        if (_error is null)
        {
            // The stream ended inside a value: Utf8JsonReader reports truncation itself, so this is a guard.
            _error = new OscalError(OscalErrorCode.InvalidJson, Pointer(), "invalid JSON: the document ends early", null, _tokens.TokenOffset);
        }

        return default;
    }

    private void CheckStream()
    {
        if (_error is null && _tokens.Error is { } error)
        {
            _error = new OscalError(error.Code, Pointer(), error.Message, null, error.Offset);
        }
    }

    private string Found() => _tokens.TokenType switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => _tokens.TokenType.ToString(),
    };

    private string Pointer()
    {
        var builder = new StringBuilder();
        foreach (var segment in _path)
        {
            if (segment.Name is { } name)
            {
                builder.Append('/').Append(Escape(name));
            }
            else if (segment.Index >= 0)
            {
                builder.Append('/').Append(segment.Index.ToString(CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    // RFC 6901 §3: "~" is written "~0" and "/" is written "~1".
    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private readonly record struct Segment(string? Name, int Index);
}
