using Kastell.Oscal.Reading;

namespace Kastell.Oscal.Resolution;

/// <summary>Limits and inputs of profile resolution. Imported documents are read with <see cref="Reader"/>.</summary>
public sealed record ProfileResolverOptions
{
    /// <summary>The default options.</summary>
    public static ProfileResolverOptions Default { get; } = new();

    /// <summary>How imported documents are read (their limits apply to each document).</summary>
    public OscalReaderOptions Reader { get; init; } = OscalReaderOptions.Default;

    /// <summary>
    /// The most controls the resolution may hold at any step (default 200,000). Profiles importing the same catalog
    /// many times through layers of profiles would otherwise multiply controls exponentially.
    /// </summary>
    public int MaxControls { get; init; } = 200_000;

    /// <summary>The deepest chain of profiles importing profiles (default 16).</summary>
    public int MaxImportDepth { get; init; } = 16;

    /// <summary>The most documents fetched from the document source in one resolution (default 256).</summary>
    public int MaxDocuments { get; init; } = 256;

    /// <summary>Where the resolution time (metadata <c>last-modified</c>) comes from.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Makes the resolved catalog's <c>uuid</c>; a random (version 4) UUID by default.</summary>
    public Func<Guid> NewUuid { get; init; } = Guid.NewGuid;
}
