using Kastell.Oscal.Model;

namespace Kastell.Oscal.Reading;

/// <summary>
/// Reads OSCAL 1.1 JSON catalogs, profiles and mapping collections (the 1.2 mapping model) from untrusted input.
/// </summary>
/// <remarks>
/// The input is streamed: memory holds one token at a time plus the model being built, bounded by
/// <see cref="OscalReaderOptions"/>. Malformed input, wrong types, missing required members, duplicate members and
/// exceeded limits are refused with an <see cref="OscalError"/> carrying the JSON pointer of the value; no exception is
/// thrown for any input. Members the model does not know are skipped (OSCAL extends through <c>props</c> and
/// <c>links</c>, and later versions add members), so a 1.2 document reads as far as 1.1 reaches. Exceptions of the
/// stream itself (<see cref="IOException"/>) are the caller's and pass through.
/// </remarks>
public static class OscalReader
{
    /// <summary>Reads one document from UTF-8 JSON. The stream is read synchronously up to the document's end and not closed.</summary>
    /// <exception cref="ArgumentException">The options are out of range (a programming error, not an input error).</exception>
    public static OscalResult<OscalDocument> Read(Stream utf8Json, OscalReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        options ??= OscalReaderOptions.Default;
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        using var tokens = new JsonTokenStream(utf8Json, options);
        return new ModelReader(tokens, options).ReadDocument();
    }

    /// <summary>Reads one document from UTF-8 JSON bytes.</summary>
    public static OscalResult<OscalDocument> Read(ReadOnlyMemory<byte> utf8Json, OscalReaderOptions? options = null)
    {
        using var stream = new ReadOnlyMemoryStream(utf8Json);
        return Read(stream, options);
    }

    /// <summary>Reads a document that must be a catalog.</summary>
    public static OscalResult<Catalog> ReadCatalog(Stream utf8Json, OscalReaderOptions? options = null) =>
        Expect(Read(utf8Json, options), OscalDocumentKind.Catalog, d => d.Catalog!);

    /// <summary>Reads a document that must be a profile.</summary>
    public static OscalResult<Profile> ReadProfile(Stream utf8Json, OscalReaderOptions? options = null) =>
        Expect(Read(utf8Json, options), OscalDocumentKind.Profile, d => d.Profile!);

    /// <summary>Reads a document that must be a mapping collection.</summary>
    public static OscalResult<MappingCollection> ReadMappingCollection(Stream utf8Json, OscalReaderOptions? options = null) =>
        Expect(Read(utf8Json, options), OscalDocumentKind.MappingCollection, d => d.MappingCollection!);

    private static OscalResult<T> Expect<T>(OscalResult<OscalDocument> read, OscalDocumentKind kind, Func<OscalDocument, T> select)
        where T : class
    {
        if (!read.IsSuccess)
        {
            return OscalResult<T>.Failure(read.Errors);
        }

        return read.Value.Kind == kind
            ? OscalResult<T>.Success(select(read.Value))
            : OscalResult<T>.Failure(new OscalError(OscalErrorCode.UnsupportedDocument, "", $"expected a {Name(kind)}, found a {Name(read.Value.Kind)}"));
    }

    internal static string Name(OscalDocumentKind kind) => kind switch
    {
        OscalDocumentKind.Catalog => "catalog",
        OscalDocumentKind.Profile => "profile",
        _ => "mapping-collection",
    };

    /// <summary>A read-only stream over memory without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
