namespace Kastell.Server.Platform.Storage;

/// <summary>
/// A seekable read-only stream over an S3 object: one ranged GET from the current position, read on as long as reads
/// are sequential; a seek elsewhere closes it and the next read opens a new range. So a whole-file download is one
/// request and a range read fetches only from its chunk on.
/// </summary>
internal sealed class S3RangeReadStream(S3ObjectStore store, string bucket, string key, long length) : Stream
{
    private Stream? _body;
    private long _bodyPosition;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= length || buffer.IsEmpty)
        {
            return 0;
        }

        if (_body is null || _bodyPosition != _position)
        {
            _body?.Dispose();
            // The decrypting stream above reads synchronously; opening a range is the only blocking wait on the SDK.
            _body = store.OpenRangeAsync(bucket, key, _position, length, CancellationToken.None).GetAwaiter().GetResult();
            _bodyPosition = _position;
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

        _position += read;
        _bodyPosition += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
        }

        base.Dispose(disposing);
    }
}
