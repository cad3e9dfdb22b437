namespace Kastell.Authorization.Tests.Conformance;

/// <summary>OpenFGA's conformance suites and sample stores in <c>tests/data/openfga</c>.</summary>
internal static class ConformanceData
{
    public static string ConformanceFile(string name) => Path.Combine(TestDataFolder.Get("openfga", "conformance"), name);

    public static IEnumerable<string> SampleStoreFiles() =>
        Directory.EnumerateFiles(TestDataFolder.Get("openfga", "sample-stores"), "*.fga.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
}
