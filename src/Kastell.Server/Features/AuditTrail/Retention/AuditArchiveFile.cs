using System.Security.Cryptography;

namespace Kastell.Server.Features.AuditTrail.Retention;

/// <summary>
/// One archive of removed audit events: its final path, the name the retention mark records, and the temporary file
/// it is written to first. The mark records the name relative to the archive directory
/// (<c>&lt;organization&gt;/&lt;from&gt;-&lt;to&gt;.jsonl</c>, fixed-width numbers, always 68 characters), so it fits
/// the column wherever the directory is and stays valid when the directory moves (together with
/// <c>Kastell:Audit:Retention:ArchiveDirectory</c>).
/// </summary>
internal sealed class AuditArchiveFile
{
    private AuditArchiveFile(string path, string storedName)
    {
        Path = path;
        StoredName = storedName;
        // Beside the final name (same file system, so the rename is atomic), hidden, and unique per run.
        TemporaryPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
    }

    public static AuditArchiveFile For(string archiveDirectory, Guid organization, long from, long upTo)
    {
        var name = $"{from:D12}-{upTo:D12}.jsonl";
        return new(System.IO.Path.Combine(archiveDirectory, organization.ToString("D"), name), $"{organization:D}/{name}");
    }

    /// <summary>The absolute final path.</summary>
    public string Path { get; }

    /// <summary>What <see cref="Platform.Audit.AuditPrune.ArchiveFile"/> records: the path relative to the archive directory, with '/'.</summary>
    public string StoredName { get; }

    public string TemporaryPath { get; }

    /// <summary>SHA-256 (hex) of the complete file, set once it is written.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>
    /// Renames the complete temporary file to its final name, never over an existing file. A file with exactly these
    /// bytes there is what an earlier attempt placed before its commit failed, and is kept; any other file stops the
    /// run.
    /// </summary>
    public void Place()
    {
        try
        {
            File.Move(TemporaryPath, Path, overwrite: false);
        }
        catch (IOException) when (File.Exists(Path))
        {
            using var existing = File.OpenRead(Path);
            if (Convert.ToHexStringLower(SHA256.HashData(existing)) != Sha256)
            {
                throw new InvalidOperationException($"The audit archive {Path} already exists with other content; it is not overwritten, and nothing was pruned.");
            }
        }
    }

    /// <summary>Removes the temporary file if it is still there (the run stopped, or the final file already existed).</summary>
    public void DiscardTemporary()
    {
        if (File.Exists(TemporaryPath))
        {
            File.Delete(TemporaryPath);
        }
    }
}
