namespace Kastell.Oscal.Model;

/// <summary>The kinds of OSCAL document the library reads.</summary>
public enum OscalDocumentKind
{
    /// <summary>A <c>catalog</c>.</summary>
    Catalog,

    /// <summary>A <c>profile</c>.</summary>
    Profile,

    /// <summary>A <c>mapping-collection</c>.</summary>
    MappingCollection,
}

/// <summary>One OSCAL document as read: exactly one of <see cref="Catalog"/>, <see cref="Profile"/> and <see cref="MappingCollection"/> is set.</summary>
public sealed record OscalDocument
{
    private OscalDocument(OscalDocumentKind kind, Catalog? catalog, Profile? profile, MappingCollection? mappingCollection)
    {
        Kind = kind;
        Catalog = catalog;
        Profile = profile;
        MappingCollection = mappingCollection;
    }

    /// <summary>Which member is set.</summary>
    public OscalDocumentKind Kind { get; }

    /// <summary>The catalog, for <see cref="OscalDocumentKind.Catalog"/>.</summary>
    public Catalog? Catalog { get; }

    /// <summary>The profile, for <see cref="OscalDocumentKind.Profile"/>.</summary>
    public Profile? Profile { get; }

    /// <summary>The mapping collection, for <see cref="OscalDocumentKind.MappingCollection"/>.</summary>
    public MappingCollection? MappingCollection { get; }

    /// <summary>The document's metadata, whatever its kind.</summary>
    public Metadata Metadata => Catalog?.Metadata ?? Profile?.Metadata ?? MappingCollection!.Metadata;

    /// <summary>Wraps a catalog.</summary>
    public static OscalDocument Of(Catalog catalog) => new(OscalDocumentKind.Catalog, catalog, null, null);

    /// <summary>Wraps a profile.</summary>
    public static OscalDocument Of(Profile profile) => new(OscalDocumentKind.Profile, null, profile, null);

    /// <summary>Wraps a mapping collection.</summary>
    public static OscalDocument Of(MappingCollection mappingCollection) => new(OscalDocumentKind.MappingCollection, null, null, mappingCollection);
}
