using System.Security.Cryptography;
using Kastell.Server.Platform.Encryption;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// Read-only, seekable plaintext over a <c>kso1</c> ciphertext stream. Decrypts one chunk at a time (the one the
/// position is in), so memory stays at one chunk whatever the file size and a range costs only its chunks. Reads are
/// asynchronous end to end when the caller reads asynchronously (a download from S3 waits on the network, not on a
/// blocked thread); the synchronous path stays for callers that need it (ZIP detection).
/// </summary>
internal sealed class DecryptingStream : ReadOnlySeekableStream
{
    private readonly Stream _ciphertext;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly long _length;
    private readonly long _chunks;
    private readonly byte[] _expectedSha256;
    private readonly byte[] _sealed = new byte[ObjectCipher.ChunkSize + ObjectCipher.TagSize];
    private readonly byte[] _chunk = new byte[ObjectCipher.ChunkSize];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _chunkIndex = -1;
    private int _chunkLength;

    // The hash covers the plaintext only when it is read in order from the start; a seek elsewhere stops it.
    private long _hashedUpTo;
    private bool _hashing = true;

    private DecryptingStream(Stream ciphertext, byte[] header, byte[] key, long length, byte[] sha256)
    {
        _ciphertext = ciphertext;
        _header = header;
        _length = length;
        _chunks = ObjectCipher.ChunkCount(length, ObjectCipher.ChunkSize);
        _expectedSha256 = sha256;
        _aes = new AesGcm(key, ObjectCipher.TagSize);
    }

    /// <exception cref="DecryptionFailedException">Wrong length, header, or (for an empty file) final chunk.</exception>
    public static async Task<DecryptingStream> OpenAsync(Stream ciphertext, byte[] key, Guid fileId, long length, byte[] sha256, CancellationToken cancellationToken)
    {
        CheckLength(ciphertext, length);
        var header = new byte[ObjectCipher.HeaderSize];
        ciphertext.Position = 0;
        await ciphertext.ReadExactlyAsync(header, cancellationToken);
        ObjectCipher.CheckHeader(header, fileId);
        var stream = new DecryptingStream(ciphertext, header, key, length, sha256);
        if (length == 0)
        {
            // The empty final chunk still proves the file is complete and authentic.
            stream.Decrypt(0, await stream.ReadSealedAsync(0, cancellationToken));
            stream.Verify();
        }

        return stream;
    }

    public override long Length => _length;

    public override int Read(Span<byte> buffer)
    {
        if (CurrentPosition >= _length || buffer.IsEmpty)
        {
            return 0;
        }

        var index = CurrentPosition / ObjectCipher.ChunkSize;
        if (index != _chunkIndex)
        {
            Decrypt(index, ReadSealed(index));
        }

        return CopyOut(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (CurrentPosition >= _length || buffer.IsEmpty)
        {
            return 0;
        }

        var index = CurrentPosition / ObjectCipher.ChunkSize;
        if (index != _chunkIndex)
        {
            Decrypt(index, await ReadSealedAsync(index, cancellationToken));
        }

        return CopyOut(buffer.Span);
    }

    /// <summary>Writes whole decrypted chunks straight from the chunk buffer, without a copy through a caller's buffer.</summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        while (CurrentPosition < _length)
        {
            var index = CurrentPosition / ObjectCipher.ChunkSize;
            if (index != _chunkIndex)
            {
                Decrypt(index, await ReadSealedAsync(index, cancellationToken));
            }

            var within = (int)(CurrentPosition - (index * ObjectCipher.ChunkSize));
            var count = _chunkLength - within;
            Consume(within, count); // hash (and the final check) before the bytes leave
            await destination.WriteAsync(_chunk.AsMemory(within, count), cancellationToken);
        }
    }

    // A seek anywhere but where the in-order hash stands ends the whole-file check; the chunk tags still hold.
    protected override void OnSeeking(long target)
    {
        if (target != _hashedUpTo)
        {
            _hashing = false;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ciphertext.Dispose();
            _aes.Dispose();
            _hash.Dispose();
            CryptographicOperations.ZeroMemory(_chunk);
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _ciphertext.DisposeAsync();
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    private static void CheckLength(Stream ciphertext, long length)
    {
        if (ciphertext.Length != ObjectCipher.CiphertextLength(length))
        {
            throw new DecryptionFailedException($"The stored file is {ciphertext.Length} bytes, not the {ObjectCipher.CiphertextLength(length)} its record expects: it was truncated or extended.");
        }
    }

    private int CopyOut(Span<byte> buffer)
    {
        var within = (int)(CurrentPosition - (_chunkIndex * ObjectCipher.ChunkSize));
        var count = Math.Min(buffer.Length, _chunkLength - within);
        Consume(within, count);
        _chunk.AsSpan(within, count).CopyTo(buffer);
        return count;
    }

    /// <summary>Advances past <paramref name="count"/> bytes of the current chunk, hashing them if the read is in order.</summary>
    private void Consume(int within, int count)
    {
        if (_hashing && CurrentPosition == _hashedUpTo)
        {
            _hash.AppendData(_chunk, within, count);
            _hashedUpTo += count;
            if (_hashedUpTo == _length)
            {
                Verify();
            }
        }

        CurrentPosition += count;
    }

    private int PlainLength(long index) => (int)Math.Min(ObjectCipher.ChunkSize, _length - (index * ObjectCipher.ChunkSize));

    private long Offset(long index) => ObjectCipher.HeaderSize + (index * (ObjectCipher.ChunkSize + ObjectCipher.TagSize));

    private Memory<byte> ReadSealed(long index)
    {
        var sealedChunk = _sealed.AsMemory(0, PlainLength(index) + ObjectCipher.TagSize);
        _ciphertext.Position = Offset(index);
        _ciphertext.ReadExactly(sealedChunk.Span);
        return sealedChunk;
    }

    private async ValueTask<Memory<byte>> ReadSealedAsync(long index, CancellationToken cancellationToken)
    {
        var sealedChunk = _sealed.AsMemory(0, PlainLength(index) + ObjectCipher.TagSize);
        _ciphertext.Position = Offset(index);
        await _ciphertext.ReadExactlyAsync(sealedChunk, cancellationToken);
        return sealedChunk;
    }

    private void Decrypt(long index, Memory<byte> sealedChunk)
    {
        var plainLength = sealedChunk.Length - ObjectCipher.TagSize;
        _chunkIndex = -1; // a failed chunk must not stay readable
        ObjectCipher.Open(_aes, _header, index, index == _chunks - 1, sealedChunk.Span, _chunk.AsSpan(0, plainLength));
        _chunkIndex = index;
        _chunkLength = plainLength;
    }

    private void Verify()
    {
        if (!CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), _expectedSha256))
        {
            throw new DecryptionFailedException("The stored file's SHA-256 does not match its record.");
        }
    }
}
