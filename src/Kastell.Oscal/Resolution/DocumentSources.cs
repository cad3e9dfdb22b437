namespace Kastell.Oscal.Resolution;

/// <summary>
/// Where profile resolution gets imported documents from. The library never fetches URLs itself: the caller decides
/// which URIs can be opened (uploaded files, a catalog store, a vetted download), so resolving an untrusted profile
/// cannot make the server reach into its network or file system.
/// </summary>
public interface IOscalDocumentSource
{
    /// <summary>Opens the document at an absolute URI for reading, or returns null when there is none.</summary>
    Stream? Open(Uri uri);
}

/// <summary>Documents held in memory, keyed by absolute URI (for uploads, stores and tests).</summary>
public sealed class InMemoryDocumentSource : IOscalDocumentSource
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _documents = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces the document at <paramref name="uri"/>.</summary>
    public InMemoryDocumentSource Add(Uri uri, ReadOnlyMemory<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("the URI must be absolute", nameof(uri));
        }

        _documents[Key(uri)] = utf8Json;
        return this;
    }

    /// <inheritdoc />
    public Stream? Open(Uri uri) =>
        _documents.TryGetValue(Key(uri), out var bytes) ? new MemoryStream(bytes.ToArray(), writable: false) : null;

    // The fragment never names another document.
    private static string Key(Uri uri) => uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Fragment, UriFormat.UriEscaped);
}

/// <summary>
/// Documents in one folder and below, addressed by <c>file:</c> URIs. Anything outside the folder (through
/// <c>..</c>, absolute paths or symbolic links) and every other scheme is treated as missing.
/// </summary>
public sealed class FileSystemDocumentSource : IOscalDocumentSource
{
    private readonly string _root;

    /// <summary>Serves the files under <paramref name="rootDirectory"/>.</summary>
    public FileSystemDocumentSource(string rootDirectory)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory)) + Path.DirectorySeparatorChar;
    }

    /// <summary>The <c>file:</c> URI of a path under the root, for the profile to resolve relative imports against.</summary>
    public Uri UriOf(string relativePath) => new(Path.Combine(_root, relativePath));

    /// <inheritdoc />
    public Stream? Open(Uri uri)
    {
        if (!uri.IsAbsoluteUri || !uri.IsFile)
        {
            return null;
        }

        var path = Path.GetFullPath(uri.LocalPath);
        if (!path.StartsWith(_root, StringComparison.Ordinal) || !File.Exists(path))
        {
            return null;
        }

        // A symbolic link inside the root may point outside it; follow it and check again.
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        return target.StartsWith(_root, StringComparison.Ordinal) ? File.OpenRead(target) : null;
    }
}
