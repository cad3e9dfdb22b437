namespace Kastell.Oscal.Reading;

/// <summary>
/// Limits for reading untrusted OSCAL documents. Every limit is checked while streaming, so a hostile document is
/// refused before it can exhaust memory or stack; the defaults fit the largest published catalogs with room to spare.
/// </summary>
public sealed record OscalReaderOptions
{
    /// <summary>The default options.</summary>
    public static OscalReaderOptions Default { get; } = new();

    /// <summary>The largest document read, in bytes (default 100 MiB).</summary>
    public long MaxDocumentBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>
    /// The deepest JSON nesting (objects and arrays) accepted (default 64). Real catalogs need about 20: every level of
    /// groups, controls or parts costs two.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>The deepest nesting of groups in groups, controls in controls, or parts in parts (default 16).</summary>
    public int MaxOscalNesting { get; init; } = 16;

    /// <summary>
    /// The longest single string, number or property name, in bytes as written (default 16 MiB). Bounds the read
    /// buffer, which must hold one whole token; embedded <c>base64</c> resources are the longest strings in practice.
    /// </summary>
    public int MaxTokenBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// The most values kept (strings, numbers, booleans, objects; skipped unknown members do not count; default
    /// 4,000,000, the BSI kernel catalog has about 60,000). Bounds the memory of the model: without it a 100 MiB file of
    /// one-letter strings would become about 900 MB of .NET strings.
    /// </summary>
    public long MaxValues { get; init; } = 4_000_000;

    internal string? Validate()
    {
        if (MaxDocumentBytes < 1)
        {
            return "MaxDocumentBytes must be positive";
        }

        if (MaxDepth is < 8 or > 1000)
        {
            return "MaxDepth must be between 8 and 1000";
        }

        if (MaxOscalNesting is < 1 or > 200)
        {
            return "MaxOscalNesting must be between 1 and 200";
        }

        if (MaxTokenBytes < 1024)
        {
            return "MaxTokenBytes must be at least 1024";
        }

        return MaxValues < 1 ? "MaxValues must be positive" : null;
    }
}
