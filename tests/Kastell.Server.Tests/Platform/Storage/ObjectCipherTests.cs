using System.Security.Cryptography;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Storage;

namespace Kastell.Server.Tests.Platform.Storage;

/// <summary>The kso1 chunk format on its own: round trips, ranges, and every way a stored file can be damaged.</summary>
public sealed class ObjectCipherTests
{
    private const int C = ObjectCipher.ChunkSize;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(C - 1)]
    [InlineData(C)]
    [InlineData(C + 1)]
    [InlineData((3 * C) + 5)]
    public async Task RoundTrip_AnyLength(int length)
    {
        var (plain, file) = await EncryptAsync(length);

        Assert.Equal(ObjectCipher.CiphertextLength(length), file.Bytes.Length);
        Assert.Equal(plain, await ReadAllAsync(file));
    }

    [Fact]
    public async Task Ciphertext_DoesNotContainThePlaintext()
    {
        var (plain, file) = await EncryptAsync((2 * C) + 100);
        Assert.Equal(-1, file.Bytes.AsSpan().IndexOf(plain.AsSpan(C, 32)));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(C - 10, 20)] // across a chunk boundary
    [InlineData((2 * C) + 1, C + 3)] // up to the last chunk
    [InlineData((3 * C) + 4, 1)] // the very last byte
    public async Task RangeRead_ReturnsExactlyThoseBytes(int offset, int count)
    {
        var (plain, file) = await EncryptAsync((3 * C) + 5);
        await using var stream = await OpenAsync(file);

        stream.Position = offset;
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, Ct);

        Assert.Equal(plain.AsSpan(offset, count).ToArray(), buffer);
    }

    [Fact]
    public async Task AlteredByte_IsRefusedWhenItsChunkIsRead()
    {
        var (_, file) = await EncryptAsync((2 * C) + 7);
        file.Bytes[ObjectCipher.HeaderSize + C + ObjectCipher.TagSize + 3] ^= 0x01; // inside chunk 1

        await using var stream = await OpenAsync(file);
        var first = new byte[C];
        await stream.ReadExactlyAsync(first, Ct); // chunk 0 is intact
        var error = await Assert.ThrowsAsync<DecryptionFailedException>(async () => await stream.ReadExactlyAsync(new byte[10], Ct));
        Assert.Contains("Chunk 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwappedChunks_AreRefusedByTheChunkTags_EvenWithAMatchingSha256()
    {
        var (plain, file) = await EncryptAsync((2 * C) + 7);
        var sealedSize = C + ObjectCipher.TagSize;
        var chunk0 = file.Bytes.AsSpan(ObjectCipher.HeaderSize, sealedSize).ToArray();
        file.Bytes.AsSpan(ObjectCipher.HeaderSize + sealedSize, sealedSize).CopyTo(file.Bytes.AsSpan(ObjectCipher.HeaderSize));
        chunk0.CopyTo(file.Bytes.AsSpan(ObjectCipher.HeaderSize + sealedSize));
        // The hash of the swapped plaintext: only the chunk authentication can notice the swap.
        byte[] swapped = [.. plain.AsSpan(C, C), .. plain.AsSpan(0, C), .. plain.AsSpan(2 * C)];
        var forged = file with { Sha256 = SHA256.HashData(swapped) };

        var error = await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAllAsync(forged));
        Assert.Contains("Chunk 0 of the stored file failed authentication", error.Message, StringComparison.Ordinal);
        var synchronous = await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAllSynchronouslyAsync(forged));
        Assert.Contains("Chunk 0 of the stored file failed authentication", synchronous.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedFile_IsRefusedAtOpen()
    {
        var (_, file) = await EncryptAsync((2 * C) + 7);
        var truncated = file with { Bytes = file.Bytes[..^1] };

        var error = await Assert.ThrowsAsync<DecryptionFailedException>(() => OpenAsync(truncated));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CutAtAChunkBoundary_WithAMatchingRecord_IsRefusedByTheFinalChunkFlag()
    {
        // An attacker who can also change the record's size and hash: the remaining last chunk was not sealed as final.
        var (plain, file) = await EncryptAsync((2 * C) + 7);
        var cut = file with
        {
            Bytes = file.Bytes[..(int)ObjectCipher.CiphertextLength(2 * C)],
            Length = 2 * C,
            Sha256 = SHA256.HashData(plain.AsSpan(0, 2 * C)),
        };

        var error = await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAllAsync(cut));
        Assert.Contains("Chunk 1 of the stored file failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherFilesCiphertext_IsRefused()
    {
        var (_, file) = await EncryptAsync(100);
        var error = await Assert.ThrowsAsync<DecryptionFailedException>(() => OpenAsync(file with { Id = Guid.NewGuid() }));
        Assert.Contains("another record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_IsRefusedByTheFirstChunkTag()
    {
        var (_, file) = await EncryptAsync(100);
        var error = await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAllAsync(file with { Key = RandomNumberGenerator.GetBytes(32) }));
        Assert.Contains("Chunk 0 of the stored file failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(C + 1)]
    [InlineData((3 * C) + 5)]
    public async Task SynchronousReads_StillWork_AndMatchTheAsynchronousOnes(int length)
    {
        var (plain, file) = await EncryptAsync(length);

        Assert.Equal(plain, await ReadAllSynchronouslyAsync(file));
        await using var stream = await OpenAsync(file);
        stream.Position = length / 2;
        var tail = new byte[length - (length / 2)];
        stream.ReadExactly(tail);
        Assert.Equal(plain.AsSpan(length / 2).ToArray(), tail);
    }

    [Fact]
    public async Task AsyncOpen_ChecksLengthAndHeader_LikeTheSynchronousOne()
    {
        var (plain, file) = await EncryptAsync(C + 3);

        await using (var opened = await ObjectCipher.OpenReadAsync(new MemoryStream(file.Bytes), file.Key, file.Id, file.Length, file.Sha256, Ct))
        {
            using var copy = new MemoryStream();
            await opened.CopyToAsync(copy, Ct);
            Assert.Equal(plain, copy.ToArray());
        }

        await Assert.ThrowsAsync<DecryptionFailedException>(() => ObjectCipher.OpenReadAsync(new MemoryStream(file.Bytes[..^1]), file.Key, file.Id, file.Length, file.Sha256, Ct));
        await Assert.ThrowsAsync<DecryptionFailedException>(() => ObjectCipher.OpenReadAsync(new MemoryStream(file.Bytes), file.Key, Guid.NewGuid(), file.Length, file.Sha256, Ct));
    }

    [Fact]
    public async Task WrongSha256_IsRefusedAtTheEndOfAFullRead()
    {
        var (_, file) = await EncryptAsync(C + 10);
        await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAllAsync(file with { Sha256 = SHA256.HashData("other"u8) }));
        var empty = (await EncryptAsync(0)).File;
        await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAllAsync(empty with { Sha256 = SHA256.HashData("x"u8) }));
    }

    private sealed record Encrypted(byte[] Bytes, byte[] Key, Guid Id, long Length, byte[] Sha256);

    private static async Task<(byte[] Plain, Encrypted File)> EncryptAsync(int length)
    {
        var plain = RandomNumberGenerator.GetBytes(length);
        var key = RandomNumberGenerator.GetBytes(32);
        var id = Guid.NewGuid();
        using var output = new MemoryStream();
        var (written, sha) = await ObjectCipher.EncryptAsync(new MemoryStream(plain), output, key, id, Ct);
        Assert.Equal(length, written);
        Assert.Equal(SHA256.HashData(plain), sha);
        return (plain, new Encrypted(output.ToArray(), key, id, length, sha));
    }

    private static Task<Stream> OpenAsync(Encrypted file) => ObjectCipher.OpenReadAsync(new MemoryStream(file.Bytes), file.Key, file.Id, file.Length, file.Sha256, Ct);

    /// <summary>Opens the stream, then reads it with synchronous reads only.</summary>
    private static async Task<byte[]> ReadAllSynchronouslyAsync(Encrypted file)
    {
        using var stream = await OpenAsync(file);
        using var copy = new MemoryStream();
        var buffer = new byte[10_000]; // not a divisor of the chunk size: reads straddle chunk boundaries
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Encrypted file)
    {
        await using var stream = await OpenAsync(file);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
