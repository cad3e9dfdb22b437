namespace Kastell.Authorization.Tests;

/// <summary>
/// The repository's <c>tests/data/</c>, found by walking up from the test binary to the folder holding
/// <c>Kastell.slnx</c>. The fixtures live in the repository so that a clone alone passes its tests.
/// </summary>
internal static class TestDataFolder
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>
    /// The folder <c>tests/data/&lt;parts&gt;</c>. A missing folder throws rather than yielding no files: a theory whose
    /// data source finds nothing would otherwise pass with no rows.
    /// </summary>
    public static string Get(params string[] parts)
    {
        var folder = Path.Combine([Root.Value, .. parts]);
        return Directory.Exists(folder)
            ? folder
            : throw new DirectoryNotFoundException($"test data folder {folder} is missing; it belongs in the repository (see tests/data/README.md)");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kastell.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "data");
            }
        }

        throw new InvalidOperationException($"no Kastell.slnx above {AppContext.BaseDirectory}");
    }
}
