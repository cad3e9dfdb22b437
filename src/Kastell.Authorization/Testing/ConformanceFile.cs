using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>
/// OpenFGA's conformance format: <c>tests[].stages[]</c>, each stage with a model, tuples and check, list-objects and
/// list-users assertions. Stages of a test share one store. As in OpenFGA's runner, every single-stage test runs a
/// second time (suffix <c>_ctxTuples</c>) with its tuples sent as contextual tuples instead of being written, unless
/// the stage has more tuples than OpenFGA accepts in one request.
/// </summary>
internal static class ConformanceFile
{
    private const int MaxContextualTuples = 100;

    public static IReadOnlyList<AuthorizationTestCase> Cases(string file, IReadOnlyDictionary<string, object?> root, Func<ITupleStore> stores, AuthorizationEngineOptions? options)
    {
        var cases = new List<AuthorizationTestCase>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var test in YamlAccess.List(root.Get("tests")).Select(YamlAccess.Map))
        {
            // The consolidated file repeats a few names; numbering keeps every test addressable.
            var name = test.Text("name") ?? "(unnamed)";
            names[name] = names.GetValueOrDefault(name) + 1;
            name = names[name] == 1 ? name : $"{name} ({names[name]})";
            var stages = YamlAccess.List(test.Get("stages")).Select(YamlAccess.Map).ToList();
            cases.Add(new AuthorizationTestCase(file, name, ct => RunAsync(stages, stores, options, contextual: false, ct)));
            if (stages.Count == 1 && TupleYaml.ReadAll(stages[0].Get("tuples")).Count <= MaxContextualTuples)
            {
                cases.Add(new AuthorizationTestCase(file, name + "_ctxTuples", ct => RunAsync(stages, stores, options, contextual: true, ct)));
            }
        }

        return cases;
    }

    private static async Task<AuthorizationTestResult> RunAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> stages, Func<ITupleStore> stores, AuthorizationEngineOptions? options, bool contextual, CancellationToken cancellationToken)
    {
        await using var lease = new StoreLease(stores());
        var store = lease.Store;
        var failures = new List<string>();
        var assertions = 0;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var prefix = stages.Count > 1 ? $"stage {i}: " : "";
            var engine = TestEngines.Create(TestEngines.Parse(stage.Text("model") ?? ""), store, options);
            var tuples = TupleYaml.ReadAll(stage.Get("tuples"));
            if (!contextual && tuples.Count > 0)
            {
                await engine.WriteAsync(tuples, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var runner = new AssertionRunner(engine, contextual ? tuples : [], cancellationToken);
            foreach (var assertion in YamlAccess.List(stage.Get("checkAssertions")).Select(YamlAccess.Map))
            {
                var tuple = YamlAccess.Map(assertion.Get("tuple"));
                await runner.CheckAsync(
                    tuple.Text("object") ?? "", tuple.Text("relation") ?? "", tuple.Text("user") ?? "",
                    TupleYaml.ReadAll(assertion.Get("contextualTuples")),
                    assertion.Context("context"),
                    assertion.Get("expectation") is true,
                    ErrorCode(assertion)).ConfigureAwait(false);
            }

            foreach (var assertion in YamlAccess.List(stage.Get("listObjectsAssertions")).Select(YamlAccess.Map))
            {
                var request = YamlAccess.Map(assertion.Get("request"));
                await runner.ListObjectsAsync(
                    request.Text("type") ?? "", request.Text("relation") ?? "", request.Text("user") ?? "",
                    TupleYaml.ReadAll(assertion.Get("contextualTuples")),
                    assertion.Context("context"),
                    assertion.Texts("expectation"),
                    ErrorCode(assertion)).ConfigureAwait(false);
            }

            foreach (var assertion in YamlAccess.List(stage.Get("listUsersAssertions")).Select(YamlAccess.Map))
            {
                var request = YamlAccess.Map(assertion.Get("request"));
                await runner.ListUsersAsync(
                    request.Text("object") ?? "", request.Text("relation") ?? "",
                    [.. request.Texts("filters").Select(UserTypeFilter.Parse)],
                    TupleYaml.ReadAll(assertion.Get("contextualTuples")),
                    assertion.Context("context"),
                    assertion.Texts("expectation"),
                    ErrorCode(assertion)).ConfigureAwait(false);
            }

            failures.AddRange(runner.Failures.Select(f => prefix + f));
            assertions += runner.Assertions;
        }

        return new AuthorizationTestResult(failures, assertions);
    }

    private static int? ErrorCode(IReadOnlyDictionary<string, object?> assertion) =>
        assertion.Get("errorCode") is double code ? (int)code : null;
}
