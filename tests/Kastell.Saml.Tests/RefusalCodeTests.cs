namespace Kastell.Saml.Tests;

/// <summary>
/// Fitness tests over the stable codes: numbers stay in their blocks and are unique, and every code is asserted by
/// some test, found in the test sources by itself, so a new refusal fails here until a test produces it.
/// </summary>
public sealed class RefusalCodeTests
{
    [Fact]
    public void RefusalNumbers_AreUniqueAndInTheirBlocks()
    {
        var numbers = Enum.GetValues<SamlRefusalReason>().Select(r => (int)r).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.All(numbers, n => Assert.InRange(n, 101, 599));
        var metadata = Enum.GetValues<SamlMetadataError>().Select(r => (int)r).ToList();
        Assert.All(metadata, n => Assert.InRange(n, 601, 699));
    }

    [Fact]
    public void EveryRefusalAndMetadataError_IsAssertedByATest()
    {
        var sources = string.Concat(Directory.EnumerateFiles(TestsFolder(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.EndsWith(nameof(RefusalCodeTests) + ".cs", StringComparison.Ordinal))
            .Select(File.ReadAllText));

        var untested = Enum.GetNames<SamlRefusalReason>().Where(n => !sources.Contains($"{nameof(SamlRefusalReason)}.{n}", StringComparison.Ordinal))
            .Concat(Enum.GetNames<SamlMetadataError>().Where(n => !sources.Contains($"{nameof(SamlMetadataError)}.{n}", StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(untested);
    }

    private static string TestsFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
            {
                return Path.Combine(directory.FullName, "tests", "Kastell.Saml.Tests");
            }
        }

        throw new InvalidOperationException("Kastell.slnx not found above " + AppContext.BaseDirectory);
    }
}
