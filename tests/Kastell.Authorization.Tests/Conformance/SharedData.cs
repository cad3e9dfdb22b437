namespace Kastell.Authorization.Tests.Conformance;

/// <summary>The shared OpenFGA test data next to the repository (never copied into it).</summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kastell.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "openfga"));
            }
        }

        throw new InvalidOperationException($"no Kastell.slnx above {AppContext.BaseDirectory}");
    });

    public static string ConformanceFile(string name) => Path.Combine(Root.Value, "conformance", name);

    public static IEnumerable<string> SampleStoreFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root.Value, "sample-stores"), "*.fga.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
}
