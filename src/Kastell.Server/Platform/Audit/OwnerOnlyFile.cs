namespace Kastell.Server.Platform.Audit;

/// <summary>Secret files that only the service account may read.</summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the file with owner-only permissions from the start, so it is never briefly readable by others.</summary>
    public static void CreateNew(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options);
        writer.Write(content);
    }

    /// <summary>Reads the file, refusing one that group or others may access.</summary>
    public static string ReadAllText(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOthers) != 0)
        {
            throw new InvalidOperationException(
                $"{path} is accessible to other users; refusing to use it. Restrict it to the service account (chmod 600).");
        }

        return File.ReadAllText(path);
    }
}
