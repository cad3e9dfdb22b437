using System.Text.RegularExpressions;

namespace Kastell.Server.Platform.Storage;

internal static partial class StorageNames
{
    /// <summary>Only names Kastell generates: no separators, dots or traversal; also valid in S3 bucket names.</summary>
    public static string Check(string name) =>
        SafeName().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a valid storage name.", nameof(name));

    public static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex SafeName();
}
