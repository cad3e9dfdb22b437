using Kastell.Authorization.Testing;

namespace Kastell.Authorization.Tests.Conformance;

/// <summary>Guards against a runner that silently skips assertions: every assertion of the suites must run.</summary>
public sealed class ConformanceCoverageTests
{
    [Theory]
    [InlineData("consolidated_1_1_tests.yaml", 137, 925)]
    [InlineData("abac_tests.yaml", 23, 291)]
    public async Task EveryTestAndAssertionOfTheSuiteRuns(string file, int tests, int assertions)
    {
        var cases = AuthorizationTestRunner.Load(ConformanceData.ConformanceFile(file)).Where(c => !c.Name.EndsWith("_ctxTuples", StringComparison.Ordinal)).ToList();
        var ran = 0;
        foreach (var test in cases)
        {
            ran += (await test.RunAsync(TestContext.Current.CancellationToken)).Assertions;
        }

        Assert.Equal(tests, cases.Count);
        Assert.Equal(assertions, ran);
    }
}
