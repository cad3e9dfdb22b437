using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>
/// Runs OpenFGA conformance files (<c>tests[].stages[]</c>) and OpenFGA CLI store-test files (<c>*.fga.yaml</c>)
/// against the engine with the in-memory store. Entry point of the <c>authz test FILE...</c> CLI verb.
/// </summary>
public static class AuthorizationTestRunner
{
    /// <summary>
    /// Reads a file into its test cases; a file that cannot be read becomes one failing case. Each test runs on a
    /// fresh store from <paramref name="stores"/> (default: in-memory), disposed afterwards when disposable, with the
    /// engine <paramref name="options"/> (default: the engine's defaults; a slow store may need longer deadlines).
    /// </summary>
    public static IReadOnlyList<AuthorizationTestCase> Load(string file, Func<ITupleStore>? stores = null, AuthorizationEngineOptions? options = null)
    {
        stores ??= () => new InMemoryTupleStore();
        try
        {
            var root = YamlAccess.Map(YamlValues.Load(File.ReadAllText(file)));
            return IsConformanceFile(root) ? ConformanceFile.Cases(file, root, stores, options) : StoreTestFile.Cases(file, root, stores, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            return [new AuthorizationTestCase(file, "load", _ => Task.FromResult(AuthorizationTestResult.Broken($"cannot read {file}: {e.Message}")))];
        }
    }

    /// <summary>Runs every test of every file, prints each failure with its test name and details, and ends with "N passed, M failed".</summary>
    public static async Task<AuthorizationTestSummary> RunAsync(IEnumerable<string> files, TextWriter output, CancellationToken cancellationToken = default)
    {
        int passed = 0, failed = 0, assertions = 0;
        foreach (var file in files)
        {
            foreach (var test in Load(file))
            {
                var result = await test.RunAsync(cancellationToken).ConfigureAwait(false);
                assertions += result.Assertions;
                if (result.Passed)
                {
                    passed++;
                    continue;
                }

                failed++;
                await output.WriteLineAsync($"FAIL {test}").ConfigureAwait(false);
                foreach (var failure in result.Failures)
                {
                    await output.WriteLineAsync($"  {failure}").ConfigureAwait(false);
                }
            }
        }

        await output.WriteLineAsync($"{assertions} assertions run").ConfigureAwait(false);
        await output.WriteLineAsync($"{passed} passed, {failed} failed").ConfigureAwait(false);
        return new AuthorizationTestSummary(passed, failed, assertions);
    }

    private static bool IsConformanceFile(IReadOnlyDictionary<string, object?> root) =>
        YamlAccess.List(root.Get("tests")).Any(t => YamlAccess.Map(t).ContainsKey("stages"));
}
