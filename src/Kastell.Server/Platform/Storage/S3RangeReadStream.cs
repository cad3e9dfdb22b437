namespace Kastell.Server.Platform.Storage;

/// <summary>
/// A seekable read-only stream over an S3 object: one ranged GET from the current position, read on as long as reads
/// are sequential; a seek elsewhere closes it and the next read opens a new range. So a whole-file download is one
/// request and a range read fetches only from its chunk on. Asynchronous reads await the GET and the body; the
/// synchronous path (kept for callers that read synchronously) has to block on the SDK's asynchronous GET.
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
            _body = null;
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
            throw Failed(ex);
        }

        return Advance(read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (CurrentPosition >= length || buffer.IsEmpty)
        {
            return 0;
        }

        if (_body is null || _bodyPosition != CurrentPosition)
        {
            if (_body is not null)
            {
                await _body.DisposeAsync();
                _body = null;
            }

            _body = await store.OpenRangeAsync(bucket, key, CurrentPosition, length, cancellationToken);
            _bodyPosition = CurrentPosition;
        }

        int read;
        try
        {
            read = await _body.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw Failed(ex);
        }

        return Advance(read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Advance(int read)
    {
        if (read == 0)
        {
            throw new ObjectStoreException($"S3 storage ended object {key} early.");
        }

        CurrentPosition += read;
        _bodyPosition += read;
        return read;
    }

    private ObjectStoreException Failed(Exception ex) => new($"S3 storage failed while reading object {key}.", ex);
}
