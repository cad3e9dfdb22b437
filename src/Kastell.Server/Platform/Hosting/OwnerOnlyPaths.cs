namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// Directories and files that only the service account may open: the data folder of the embedded mode, the SQLite
/// database with its WAL and shared-memory files, and the mail pickup folder (its .eml files hold live reset links).
/// They are created 0700/0600 whatever the umask, and one that group or others may access stops start-up with the
/// path and the command that fixes it, as a readable key file does. Every such path is named at once, so one start
/// tells the operator everything to fix.
/// </summary>
public sealed class OwnerOnlyPaths
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly List<string> _problems = [];

    /// <summary>Creates the directory owner-only if it is missing; notes an existing one others may open.</summary>
    public OwnerOnlyPaths Directory(string path)
    {
        path = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else if (System.IO.Directory.Exists(path))
        {
            Check(path, "700");
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, DirectoryMode);
        }

        return this;
    }

    /// <summary>
    /// Creates an empty owner-only file if it is missing (SQLite takes the empty file as a new database and gives its
    /// WAL and shared-memory files the same mode); notes an existing one others may open.
    /// </summary>
    public OwnerOnlyPaths File(string path)
    {
        path = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return this;
        }

        if (System.IO.File.Exists(path))
        {
            Check(path, "600");
            return this;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            Check(path, "600"); // created by someone else in the meantime
        }

        return this;
    }

    /// <summary>Notes the file if it exists and others may open it; a missing file is fine.</summary>
    public OwnerOnlyPaths FileIfPresent(string path)
    {
        path = Path.GetFullPath(path);
        if (!OperatingSystem.IsWindows() && System.IO.File.Exists(path))
        {
            Check(path, "600");
        }

        return this;
    }

    /// <summary>Notes the directory and every file in it, if it exists, where others may open them.</summary>
    public OwnerOnlyPaths TreeIfPresent(string directory)
    {
        directory = Path.GetFullPath(directory);
        if (OperatingSystem.IsWindows() || !System.IO.Directory.Exists(directory))
        {
            return this;
        }

        Check(directory, "700");
        foreach (var file in System.IO.Directory.EnumerateFiles(directory))
        {
            Check(file, "600");
        }

        return this;
    }

    /// <summary>Stops start-up if any path others may open was found.</summary>
    public void ThrowIfAnyIsShared()
    {
        if (_problems.Count > 0)
        {
            throw new InvalidOperationException(
                "Refusing to start: these paths hold data only the service account may read, but other users can open them. "
                + "Restrict them (and consider who could have read them meanwhile): " + string.Join("; ", _problems));
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void Check(string path, string chmod)
    {
        var mode = System.IO.File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            _problems.Add($"{path} is {mode} (fix: chmod {chmod} '{path}')");
        }
    }
}
