using System.Security.Cryptography;

namespace Kastell.Server.Platform.Encryption;

/// <summary>AES-256-GCM with a random 96-bit nonce, laid out as [nonce 12][ciphertext][tag 16].</summary>
internal static class AesGcmBlob
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var blob = new byte[Overhead + plaintext.Length];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(NonceSize, plaintext.Length), blob.AsSpan(NonceSize + plaintext.Length), associatedData);
        return blob;
    }

    /// <exception cref="DecryptionFailedException">Too short, altered, wrong key or wrong associated data.</exception>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> associatedData, string what)
    {
        if (blob.Length < Overhead)
        {
            throw new DecryptionFailedException($"{what} is truncated ({blob.Length} bytes, at least {Overhead} expected).");
        }

        var plaintext = new byte[blob.Length - Overhead];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(blob[..NonceSize], blob.Slice(NonceSize, plaintext.Length), blob[(NonceSize + plaintext.Length)..], plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new DecryptionFailedException($"{what} failed authentication: it was altered or truncated, belongs to another place, or the key is wrong.", ex);
        }
    }
}
