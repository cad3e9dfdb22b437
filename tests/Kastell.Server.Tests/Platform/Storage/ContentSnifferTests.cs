using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Platform.Storage;

namespace Kastell.Server.Tests.Platform.Storage;

/// <summary>Content types come from the bytes: each accepted evidence type is recognised, everything else is not.</summary>
public sealed class ContentSnifferTests
{
    [Theory]
    [InlineData("%PDF-1.7\n%âãÏÓ\n1 0 obj\n", ContentSniffer.Pdf)]
    [InlineData("Protokoll der Sitzung\r\nTeilnehmer: Müller, Öztürk\n", ContentSniffer.Text)]
    public async Task RecognisesByMagicBytes_TextLike(string content, string expected) =>
        Assert.Equal(expected, await DetectAsync(new MemoryStream(Encoding.UTF8.GetBytes(content))));

    [Fact]
    public async Task RecognisesImages()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8];
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, .. "JFIF"u8];
        Assert.Equal(ContentSniffer.Png, await DetectAsync(new MemoryStream(png)));
        Assert.Equal(ContentSniffer.Jpeg, await DetectAsync(new MemoryStream(jpeg)));
    }

    [Theory]
    [InlineData("word/document.xml", ContentSniffer.Docx)]
    [InlineData("xl/workbook.xml", ContentSniffer.Xlsx)]
    [InlineData("ppt/presentation.xml", ContentSniffer.Pptx)]
    [InlineData(null, ContentSniffer.Zip)]
    public async Task TellsOfficeDocumentsFromPlainZips(string? part, string expected)
    {
        var archive = new MemoryStream();
        using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (part is not null)
            {
                Write(zip, "[Content_Types].xml", "<Types/>");
                Write(zip, part, "<x/>");
            }
            else
            {
                Write(zip, "readme.txt", "hallo");
            }
        }

        Assert.Equal(expected, await DetectAsync(archive));
    }

    [Fact]
    public async Task RefusesEverythingElse()
    {
        Assert.Null(await DetectAsync(new MemoryStream([0x7F, .. "ELF"u8, 2, 1, 1, 0])));
        Assert.Null(await DetectAsync(new MemoryStream([.. "text with a NUL\0 inside"u8])));
        Assert.Null(await DetectAsync(new MemoryStream([0xC3, 0x28, 0x41]))); // invalid UTF-8
        Assert.Null(await DetectAsync(new MemoryStream([.. "PK\x03\x04"u8, .. RandomNumberGenerator.GetBytes(100)]))); // not a real ZIP
        Assert.Null(await DetectAsync(new MemoryStream([])));
    }

    [Fact]
    public async Task LongText_CutInsideACharacterAtTheProbeEnd_IsStillText()
    {
        var text = Encoding.UTF8.GetBytes(new string('a', (64 * 1024) - 1) + "ü und mehr");
        Assert.Equal(ContentSniffer.Text, await DetectAsync(new MemoryStream(text)));
    }

    private static Task<string?> DetectAsync(Stream content) => ContentSniffer.DetectAsync(content, TestContext.Current.CancellationToken);

    private static void Write(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(content);
    }
}
