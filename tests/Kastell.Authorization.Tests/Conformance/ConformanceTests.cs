using System.Collections.Concurrent;
using Kastell.Authorization.Testing;

namespace Kastell.Authorization.Tests.Conformance;

/// <summary>Every OpenFGA conformance test and every sample-store test is its own row.</summary>
public sealed class ConformanceTests
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<AuthorizationTestCase>> Loaded = new();

    public static TheoryData<string, string> ConsolidatedCases() => Rows(ConformanceData.ConformanceFile("consolidated_1_1_tests.yaml"));

    public static TheoryData<string, string> AbacCases() => Rows(ConformanceData.ConformanceFile("abac_tests.yaml"));

    public static TheoryData<string, string> SampleStoreCases()
    {
        var rows = new TheoryData<string, string>();
        foreach (var file in ConformanceData.SampleStoreFiles())
        {
            foreach (var test in Load(file))
            {
                rows.Add(file, test.Name);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(ConsolidatedCases))]
    public Task Consolidated(string file, string test) => RunAsync(file, test);

    [Theory]
    [MemberData(nameof(AbacCases))]
    public Task Abac(string file, string test) => RunAsync(file, test);

    [Theory]
    [MemberData(nameof(SampleStoreCases))]
    public Task SampleStore(string file, string test) => RunAsync(file, test);

    private static async Task RunAsync(string file, string name)
    {
        var test = Load(file).Single(t => t.Name == name);
        var result = await test.RunAsync(TestContext.Current.CancellationToken);
        Assert.True(result.Passed, string.Join(Environment.NewLine, result.Failures));
        Assert.True(result.Assertions > 0, "the test ran no assertion");
    }

    private static TheoryData<string, string> Rows(string file)
    {
        var rows = new TheoryData<string, string>();
        foreach (var test in Load(file))
        {
            rows.Add(file, test.Name);
        }

        return rows;
    }

    private static IReadOnlyList<AuthorizationTestCase> Load(string file) => Loaded.GetOrAdd(file, f => AuthorizationTestRunner.Load(f));
}
