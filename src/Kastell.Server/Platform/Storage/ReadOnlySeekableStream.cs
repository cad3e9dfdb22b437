namespace Kastell.Server.Platform.Storage;

/// <summary>
/// The plumbing shared by Kastell's read-only, seekable streams (decrypted files, ranged S3 objects): a position that
/// seeks only move, and no writing. Subclasses read from <see cref="CurrentPosition"/> and advance it.
/// </summary>
internal abstract class ReadOnlySeekableStream : Stream
{
    protected long CurrentPosition { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Position
    {
        get => CurrentPosition;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public abstract override int Read(Span<byte> buffer);

    // Stream's default would run the synchronous Read on a pool thread; subclasses read asynchronously instead.
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => CurrentPosition + offset,
            _ => Length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        OnSeeking(target);
        CurrentPosition = target;
        return target;
    }

    /// <summary>Called before the position moves to <paramref name="target"/>.</summary>
    protected virtual void OnSeeking(long target)
    {
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
