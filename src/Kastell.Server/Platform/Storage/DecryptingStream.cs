using System.Security.Cryptography;
using Kastell.Server.Platform.Encryption;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// Read-only, seekable plaintext over a <c>kso1</c> ciphertext stream. Decrypts one chunk at a time (the one the
/// position is in), so memory stays at one chunk whatever the file size and a range costs only its chunks.
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

    public DecryptingStream(Stream ciphertext, byte[] key, Guid fileId, long length, byte[] sha256)
    {
        _ciphertext = ciphertext;
        _length = length;
        _chunks = ObjectCipher.ChunkCount(length, ObjectCipher.ChunkSize);
        _expectedSha256 = sha256;
        if (ciphertext.Length != ObjectCipher.CiphertextLength(length))
        {
            throw new DecryptionFailedException($"The stored file is {ciphertext.Length} bytes, not the {ObjectCipher.CiphertextLength(length)} its record expects: it was truncated or extended.");
        }

        _header = new byte[ObjectCipher.HeaderSize];
        ciphertext.Position = 0;
        ciphertext.ReadExactly(_header);
        ObjectCipher.CheckHeader(_header, fileId);
        _aes = new AesGcm(key, ObjectCipher.TagSize);
        if (length == 0)
        {
            Load(0); // the empty final chunk still proves the file is complete and authentic
            Verify();
        }
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
            Load(index);
        }

        var within = (int)(CurrentPosition - (index * ObjectCipher.ChunkSize));
        var count = Math.Min(buffer.Length, _chunkLength - within);
        _chunk.AsSpan(within, count).CopyTo(buffer);
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
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

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
            _aes?.Dispose();
            _hash.Dispose();
            CryptographicOperations.ZeroMemory(_chunk);
        }

        base.Dispose(disposing);
    }

    private void Load(long index)
    {
        var plainLength = (int)Math.Min(ObjectCipher.ChunkSize, _length - (index * ObjectCipher.ChunkSize));
        _ciphertext.Position = ObjectCipher.HeaderSize + (index * (ObjectCipher.ChunkSize + ObjectCipher.TagSize));
        var sealedChunk = _sealed.AsSpan(0, plainLength + ObjectCipher.TagSize);
        _ciphertext.ReadExactly(sealedChunk);
        _chunkIndex = -1; // a failed chunk must not stay readable
        ObjectCipher.Open(_aes, _header, index, index == _chunks - 1, sealedChunk, _chunk.AsSpan(0, plainLength));
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
