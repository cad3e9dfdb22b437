namespace Kastell.Server.Features.Assets.Import;

/// <summary>The import form's file: bounded before it is read into memory (the form reader spools uploads to disk).</summary>
internal static class AssetImportUpload
{
    public const string FileField = "file";

    /// <summary>The file and the form around it.</summary>
    public const long MaxRequestBytes = Sheet.MaxBytes + (64 * 1024);

    /// <summary>The confirmation carries the file inside its payload (compressed, but a packed file may not shrink).</summary>
    public const long MaxConfirmBytes = (2 * Sheet.MaxBytes) + (64 * 1024);

    /// <summary>The file's name and content; refused when there is none, it is empty or larger than <see cref="Sheet.MaxBytes"/>.</summary>
    public static async Task<((string Name, byte[] Content)? File, bool Refused)> ReadAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return (null, true);
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        if (form.Files.GetFile(FileField) is not { Length: > 0 and <= Sheet.MaxBytes } file)
        {
            return (null, true);
        }

        var content = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(content, request.HttpContext.RequestAborted);
        return ((Path.GetFileName(file.FileName), content), false);
    }
}
