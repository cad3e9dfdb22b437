using System.Buffers.Binary;
using System.Security.Cryptography;
using Kastell.Server.Platform.Encryption;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// The stored-file format <c>kso1</c> (docs/adr/0006-encryption-at-rest.md): a 25-byte header
/// ("KSO1", version 1, chunk size as big-endian int32, file id) and then the plaintext in chunks of
/// <see cref="ChunkSize"/> bytes (the last one shorter, possibly empty), each sealed with AES-256-GCM under the file's
/// own key as [ciphertext][tag 16]. Nonce = 4 zero bytes + the chunk index (big-endian int64): unique, since every file
/// has a fresh key. Associated data = header + chunk index + a final-chunk flag, so chunks cannot be reordered,
/// moved to another file, or cut off at a chunk boundary. Chunks are independent: a range is read by decrypting only
/// the chunks it touches.
/// </summary>
public static class ObjectCipher
{
    public const int ChunkSize = 64 * 1024;
    public const int TagSize = 16;
    public const int HeaderSize = 4 + 1 + 4 + 16;
    private const byte Version1 = 1;
    private static readonly byte[] Magic = "KSO1"u8.ToArray();

    /// <summary>The stored length for a plaintext of <paramref name="length"/> bytes.</summary>
    public static long CiphertextLength(long length, int chunkSize = ChunkSize) => HeaderSize + length + (ChunkCount(length, chunkSize) * TagSize);

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/>, streaming one chunk at a time.</summary>
    /// <returns>The plaintext's length and SHA-256.</returns>
    public static async Task<(long Length, byte[] Sha256)> EncryptAsync(Stream plaintext, Stream ciphertext, byte[] key, Guid fileId, CancellationToken cancellationToken = default)
    {
        var header = Header(fileId, ChunkSize);
        await ciphertext.WriteAsync(header, cancellationToken);
        using var aes = new AesGcm(key, TagSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var current = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkSize + TagSize];
        var currentLength = await plaintext.ReadAtLeastAsync(current, ChunkSize, throwOnEndOfStream: false, cancellationToken);
        long total = 0;
        for (long index = 0; ; index++)
        {
            // One chunk of look-ahead: only then is it known whether the current chunk is the last.
            var nextLength = currentLength == ChunkSize
                ? await plaintext.ReadAtLeastAsync(next, ChunkSize, throwOnEndOfStream: false, cancellationToken)
                : 0;
            var final = nextLength == 0;
            Seal(aes, header, index, final, current.AsSpan(0, currentLength), sealedChunk.AsSpan(0, currentLength + TagSize));
            hash.AppendData(current, 0, currentLength);
            await ciphertext.WriteAsync(sealedChunk.AsMemory(0, currentLength + TagSize), cancellationToken);
            total += currentLength;
            if (final)
            {
                break;
            }

            (current, next) = (next, current);
            currentLength = nextLength;
        }

        CryptographicOperations.ZeroMemory(current);
        CryptographicOperations.ZeroMemory(next);
        return (total, hash.GetHashAndReset());
    }

    /// <summary>
    /// A seekable plaintext view of a stored file. The ciphertext's length must match <paramref name="length"/>
    /// (truncation or extension is refused at once); every chunk read is authenticated; a read from start to end
    /// also checks <paramref name="sha256"/>.
    /// </summary>
    /// <exception cref="DecryptionFailedException">The stored file is damaged, another file's, or the key is wrong.</exception>
    /// <remarks>Reads the header without blocking; the stream's own async reads never block either.</remarks>
    public static async Task<Stream> OpenReadAsync(Stream ciphertext, byte[] key, Guid fileId, long length, byte[] sha256, CancellationToken cancellationToken = default) =>
        await DecryptingStream.OpenAsync(ciphertext, key, fileId, length, sha256, cancellationToken);

    internal static long ChunkCount(long length, int chunkSize) => Math.Max(1, (length + chunkSize - 1) / chunkSize);

    internal static byte[] Header(Guid fileId, int chunkSize)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        header[4] = Version1;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), chunkSize);
        fileId.TryWriteBytes(header.AsSpan(9));
        return header;
    }

    internal static void Seal(AesGcm aes, byte[] header, long index, bool final, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> associated = stackalloc byte[HeaderSize + 9];
        Context(header, index, final, nonce, associated);
        aes.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize), associated);
    }

    internal static void Open(AesGcm aes, byte[] header, long index, bool final, ReadOnlySpan<byte> sealedChunk, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> associated = stackalloc byte[HeaderSize + 9];
        Context(header, index, final, nonce, associated);
        try
        {
            aes.Decrypt(nonce, sealedChunk[..^TagSize], sealedChunk[^TagSize..], plaintext, associated);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new DecryptionFailedException($"Chunk {index} of the stored file failed authentication: it was altered, reordered, truncated or belongs to another file, or the key is wrong.", ex);
        }
    }

    private static void Context(byte[] header, long index, bool final, Span<byte> nonce, Span<byte> associated)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
        header.CopyTo(associated);
        BinaryPrimitives.WriteInt64BigEndian(associated[HeaderSize..], index);
        associated[^1] = final ? (byte)1 : (byte)0;
    }

    internal static void CheckHeader(ReadOnlySpan<byte> stored, Guid fileId)
    {
        if (stored.Length < HeaderSize || !stored[..4].SequenceEqual(Magic))
        {
            throw new DecryptionFailedException("The stored file is not in the kso1 format.");
        }

        if (stored[4] != Version1)
        {
            throw new DecryptionFailedException($"The stored file has unknown format version {stored[4]}.");
        }

        if (BinaryPrimitives.ReadInt32BigEndian(stored[5..]) != ChunkSize)
        {
            throw new DecryptionFailedException("The stored file has an unexpected chunk size.");
        }

        if (new Guid(stored.Slice(9, 16)) != fileId)
        {
            throw new DecryptionFailedException("The stored file belongs to another record.");
        }
    }
}
