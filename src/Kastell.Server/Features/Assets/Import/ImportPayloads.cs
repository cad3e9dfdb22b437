using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>
/// The previewed file, carried from the preview to the confirmation inside the page (no upload is kept on the
/// server between the two steps, and no other process needs to know about it): compressed, encrypted and signed by
/// the data-protection keys, bound to the person and the Space that previewed it, valid for <see cref="Lifetime"/>.
/// The confirmation checks the file again in full, so the payload is never trusted beyond "this is the file".
/// </summary>
internal sealed class ImportPayloads(IDataProtectionProvider protection)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    /// <summary>The form field that carries it.</summary>
    public const string Field = "payload";

    /// <summary>The longest file name kept for the audit event.</summary>
    private const int MaxFileNameBytes = 1024;

    public string Protect(Guid userId, Guid spaceId, string fileName, byte[] content)
    {
        var name = Encoding.UTF8.GetBytes(fileName.Length > 200 ? fileName[..200] : fileName);
        using var packed = new MemoryStream();
        using (var brotli = new BrotliStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)name.Length);
            brotli.Write(length);
            brotli.Write(name);
            brotli.Write(content);
        }

        return WebEncoders.Base64UrlEncode(Protector(userId, spaceId).Protect(packed.ToArray(), DateTimeOffset.UtcNow.Add(Lifetime)));
    }

    /// <summary>The file, or null when the payload is malformed, expired, altered or was made for someone or somewhere else.</summary>
    public (string FileName, byte[] Content)? Unprotect(Guid userId, Guid spaceId, string? payload)
    {
        if (string.IsNullOrEmpty(payload) || payload.Length > 4 * Sheet.MaxBytes)
        {
            return null;
        }

        try
        {
            var packed = Protector(userId, spaceId).Unprotect(WebEncoders.Base64UrlDecode(payload), out _);
            using var brotli = new BrotliStream(new MemoryStream(packed), CompressionMode.Decompress);
            using var unpacked = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = brotli.Read(buffer)) > 0)
            {
                unpacked.Write(buffer, 0, read);
                if (unpacked.Length > Sheet.MaxBytes + 2 + MaxFileNameBytes)
                {
                    return null;
                }
            }

            var bytes = unpacked.ToArray();
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            return (Encoding.UTF8.GetString(bytes, 2, length), bytes[(2 + length)..]);
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private ITimeLimitedDataProtector Protector(Guid userId, Guid spaceId) =>
        protection.CreateProtector("Kastell.Assets.Import.v1", userId.ToString("D"), spaceId.ToString("D")).ToTimeLimitedDataProtector();
}
