using Kastell.Authorization.Testing;

namespace Kastell.Authorization.Tests.Conformance;

public sealed class RunnerSummaryTests
{
    [Fact]
    public async Task RunAsync_PrintsFailuresWithTestNames_AndEndsWithCounts()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kastell-runner-{Guid.NewGuid():N}.fga.yaml");
        await File.WriteAllTextAsync(file, """
            name: tiny
            model: |
              model
                schema 1.1
              type user
              type document
                relations
                  define viewer: [user]
            tuples:
              - user: user:anne
                relation: viewer
                object: document:1
            tests:
              - name: right
                check:
                  - user: user:anne
                    object: document:1
                    assertions:
                      viewer: true
              - name: wrong
                check:
                  - user: user:bob
                    object: document:1
                    assertions:
                      viewer: true
            """, TestContext.Current.CancellationToken);
        try
        {
            var output = new StringWriter();
            var summary = await AuthorizationTestRunner.RunAsync([file], output, TestContext.Current.CancellationToken);

            // Each test also runs with its tuples as contextual tuples.
            Assert.Equal(new AuthorizationTestSummary(2, 2, 4), summary);
            var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("2 passed, 2 failed", lines[^1]);
            Assert.Contains(lines, l => l.Contains("FAIL", StringComparison.Ordinal) && l.Contains("tiny: wrong", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("check document:1#viewer@user:bob", StringComparison.Ordinal) && l.Contains("expected True, got False", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
