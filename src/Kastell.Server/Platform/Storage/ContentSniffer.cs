using System.IO.Compression;
using System.Text;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// The content type of an upload from its bytes, never from its name or the client's claim: the evidence types
/// Kastell accepts (PDF, PNG, JPEG, ZIP and the Office Open XML formats, plain UTF-8 text), or null for anything else.
/// Hand-written because these signatures are few and fixed; a general detection library would accept far more.
/// </summary>
public static class ContentSniffer
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Zip = "application/zip";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    public const string Text = "text/plain; charset=utf-8";

    private const int TextProbeLength = 64 * 1024;

    /// <summary>
    /// Reads from the start of a seekable stream and leaves its position undefined. Asynchronous all the way: the
    /// stream is usually a decrypting view of remote storage, and a ZIP's central directory sits at its end.
    /// </summary>
    public static async Task<string?> DetectAsync(Stream content, CancellationToken cancellationToken = default)
    {
        content.Position = 0;
        var head = new byte[TextProbeLength];
        var length = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        if (Signature(head.AsSpan(0, length)) is { } type)
        {
            return type;
        }

        if (IsZip(head.AsSpan(0, length)))
        {
            return await ArchiveAsync(content, cancellationToken);
        }

        return length > 0 && IsText(head.AsSpan(0, length), complete: length < head.Length) ? Text : null;
    }

    /// <summary>The types known by their first bytes alone (a span cannot live across an await, hence apart).</summary>
    private static string? Signature(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        return null;
    }

    private static bool IsZip(ReadOnlySpan<byte> bytes) => bytes.StartsWith("PK\x03\x04"u8) || bytes.StartsWith("PK\x05\x06"u8);

    /// <summary>A ZIP whose entries make it an Office document, a plain ZIP, or nothing if it does not open.</summary>
    private static async Task<string?> ArchiveAsync(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            content.Position = 0;
            await using var zip = await ZipArchive.CreateAsync(content, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            if (!names.Contains("[Content_Types].xml"))
            {
                return Zip;
            }

            return names.Contains("word/document.xml") ? Docx
                : names.Contains("xl/workbook.xml") ? Xlsx
                : names.Contains("ppt/presentation.xml") ? Pptx
                : Zip;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Valid UTF-8 without control characters other than tab, line feed, carriage return and form feed.</summary>
    private static bool IsText(ReadOnlySpan<byte> bytes, bool complete)
    {
        if (!complete)
        {
            // The probe may end inside a multi-byte character: drop up to 3 trailing continuation bytes and their lead.
            var cut = bytes.Length;
            for (var i = 1; i <= 3 && cut - i >= 0; i++)
            {
                if ((bytes[cut - i] & 0xC0) == 0xC0)
                {
                    cut -= i;
                    break;
                }

                if ((bytes[cut - i] & 0x80) == 0)
                {
                    break;
                }
            }

            bytes = bytes[..cut];
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r' and not 0x0C)
            {
                return false;
            }

            if (b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
