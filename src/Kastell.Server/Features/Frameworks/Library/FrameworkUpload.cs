using Kastell.Server.Features.Frameworks.Import;

namespace Kastell.Server.Features.Frameworks.Library;

/// <summary>
/// The import form's files: one OSCAL document and the catalogs its profile imports. Each file and the whole request
/// are bounded; the form reader spools files to disk, and a file is read into memory only once it is known to fit.
/// </summary>
internal static class FrameworkUpload
{
    public const string FileField = "file";
    public const string CatalogsField = "catalogs";

    /// <summary>Enough for the largest published catalogs (NIST SP 800-53 rev5 in full is about 10 MiB, the BSI kernel 4 MiB).</summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>All files of one import together, with room for the form around them.</summary>
    public const long MaxRequestBytes = 2 * MaxBytes;

    public const int MaxCatalogs = 16;

    public const int MaxProblemsShown = 20;

    /// <summary>The files, or refused: no document, an empty or oversized one, or too many catalogs.</summary>
    public static async Task<((OscalFile Main, IReadOnlyList<OscalFile> Catalogs)? Files, bool Refused)> ReadAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return (null, true);
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var main = form.Files.GetFile(FileField);
        var catalogs = form.Files.GetFiles(CatalogsField).Where(f => f.Length > 0).ToList();
        if (main is null || main.Length == 0 || main.Length > MaxBytes || catalogs.Count > MaxCatalogs || catalogs.Any(c => c.Length > MaxBytes))
        {
            return (null, true);
        }

        var read = new List<OscalFile>();
        foreach (var file in catalogs)
        {
            read.Add(await ReadAsync(file, request.HttpContext.RequestAborted));
        }

        return ((await ReadAsync(main, request.HttpContext.RequestAborted), read), false);
    }

    private static async Task<OscalFile> ReadAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return new OscalFile(file.FileName, bytes);
    }
}
