using System.Buffers.Binary;
using System.Text;

namespace Kastell.Server.Platform.Encryption;

/// <summary>Where an encrypted value lives; bound into the ciphertext so it cannot be moved to another row or column.</summary>
public readonly record struct FieldLocation(string Table, string Column, string RowId);

/// <summary>
/// The text format of encrypted fields, version 1 (see docs/adr/0006-encryption-at-rest.md):
/// <c>kse1:</c> + base64( [0x01][data key id, 16 bytes][nonce 12][ciphertext][tag 16] ), AES-256-GCM with
/// associated data = "kastell/field/v1" + table + column + row id + the 17 header bytes.
/// </summary>
public static class FieldCipher
{
    public const string Prefix = "kse1:";
    private const byte Version1 = 1;
    private const int HeaderSize = 1 + 16;

    public static bool LooksEncrypted(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Encrypt(Guid keyId, ReadOnlySpan<byte> key, string plaintext, FieldLocation location)
    {
        var header = Header(keyId);
        var blob = AesGcmBlob.Seal(key, Encoding.UTF8.GetBytes(plaintext), AssociatedData(header, location));
        return Prefix + Convert.ToBase64String([.. header, .. blob]);
    }

    /// <summary>
    /// The text every value encrypted with <paramref name="keyId"/> starts with: the base64 of the first 15 header
    /// bytes (version and 14 of the key id's 16 bytes; 15 bytes encode to whole base64 characters). Lets SQL find
    /// values under other keys without decrypting them.
    /// </summary>
    public static string TextPrefixOf(Guid keyId) => Prefix + Convert.ToBase64String(Header(keyId).AsSpan(0, 15));

    /// <summary>The data key a value was encrypted with.</summary>
    /// <exception cref="DecryptionFailedException">Not in a known encrypted format.</exception>
    public static Guid KeyIdOf(string value, FieldLocation location) => new(Decode(value, location).AsSpan(1, 16));

    /// <exception cref="DecryptionFailedException">Malformed, truncated, altered, moved, or the wrong key.</exception>
    public static string Decrypt(string value, ReadOnlySpan<byte> key, FieldLocation location)
    {
        var bytes = Decode(value, location);
        var plaintext = AesGcmBlob.Open(key, bytes.AsSpan(HeaderSize), AssociatedData(bytes.AsSpan(0, HeaderSize), location), Describe(location));
        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] Decode(string value, FieldLocation location)
    {
        if (!LooksEncrypted(value))
        {
            // Never fall back to treating the value as plaintext: that would let a database writer plant secrets.
            throw new DecryptionFailedException($"{Describe(location)} is not in an encrypted format (expected prefix '{Prefix}').");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value[Prefix.Length..]);
        }
        catch (FormatException ex)
        {
            throw new DecryptionFailedException($"{Describe(location)} is malformed (not base64).", ex);
        }

        if (bytes.Length < HeaderSize + AesGcmBlob.Overhead)
        {
            throw new DecryptionFailedException($"{Describe(location)} is truncated.");
        }

        if (bytes[0] != Version1)
        {
            throw new DecryptionFailedException($"{Describe(location)} has unknown format version {bytes[0]}.");
        }

        return bytes;
    }

    private static byte[] Header(Guid keyId)
    {
        var header = new byte[HeaderSize];
        header[0] = Version1;
        keyId.TryWriteBytes(header.AsSpan(1));
        return header;
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> header, FieldLocation location)
    {
        var context = Encoding.UTF8.GetBytes($"kastell/field/v1\n{location.Table}\n{location.Column}\n{location.RowId}\n");
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, context.Length);
        return [.. length, .. context, .. header];
    }

    private static string Describe(FieldLocation location) => $"The encrypted value in {location.Table}.{location.Column}";
}
