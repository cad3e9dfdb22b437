namespace Kastell.Server.Platform.Storage;

/// <summary>
/// A seekable read-only stream over an S3 object: one ranged GET from the current position, read on as long as reads
/// are sequential; a seek elsewhere closes it and the next read opens a new range. So a whole-file download is one
/// request and a range read fetches only from its chunk on.
/// </summary>
internal sealed class S3RangeReadStream(S3ObjectStore store, string bucket, string key, long length) : ReadOnlySeekableStream
{
    private Stream? _body;
    private long _bodyPosition;

    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        if (CurrentPosition >= length || buffer.IsEmpty)
        {
            return 0;
        }

        if (_body is null || _bodyPosition != CurrentPosition)
        {
            _body?.Dispose();
            // The decrypting stream above reads synchronously; opening a range is the only blocking wait on the SDK.
            _body = store.OpenRangeAsync(bucket, key, CurrentPosition, length, CancellationToken.None).GetAwaiter().GetResult();
            _bodyPosition = CurrentPosition;
        }

        int read;
        try
        {
            read = _body.Read(buffer);
        }
        catch (IOException ex)
        {
            throw new ObjectStoreException($"S3 storage failed while reading object {key}.", ex);
        }

        if (read == 0)
        {
            throw new ObjectStoreException($"S3 storage ended object {key} early.");
        }

        CurrentPosition += read;
        _bodyPosition += read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
        }

        base.Dispose(disposing);
    }
}
