using Kastell.Authorization.Engine;
using Kastell.Authorization.Model;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>
/// The OpenFGA CLI store-test format (<c>fga model test</c>): a model (<c>model</c> or <c>model_file</c>), global
/// tuples (<c>tuples</c>, <c>tuple_file</c>, <c>tuple_files</c>) and <c>tests[]</c>, each with its own extra tuples and
/// <c>check</c>, <c>list_objects</c> and <c>list_users</c> assertions. Each test runs on a fresh store, then again with
/// all its tuples as contextual tuples (suffix <c>_ctxTuples</c>) when they fit in one request.
/// </summary>
internal static class StoreTestFile
{
    private const int MaxContextualTuples = 100;

    public static IReadOnlyList<AuthorizationTestCase> Cases(string file, IReadOnlyDictionary<string, object?> root, Func<ITupleStore> stores, AuthorizationEngineOptions? options)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var storeName = root.Text("name") ?? Path.GetFileName(file);
        AuthorizationModel model;
        IReadOnlyList<RelationshipTuple> globalTuples;
        try
        {
            model = LoadModel(root, directory);
            globalTuples = LoadTuples(root, directory);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [new AuthorizationTestCase(file, storeName, _ => Task.FromResult(AuthorizationTestResult.Broken($"cannot load store: {e.Message}")))];
        }

        var cases = new List<AuthorizationTestCase>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var test in YamlAccess.List(root.Get("tests")).Select(YamlAccess.Map))
        {
            var name = $"{storeName}: {test.Text("name") ?? "(unnamed)"}";
            names[name] = names.GetValueOrDefault(name) + 1;
            name = names[name] == 1 ? name : $"{name} ({names[name]})";
            IReadOnlyList<RelationshipTuple> tuples;
            try
            {
                tuples = [.. globalTuples, .. LoadTuples(test, directory)];
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                cases.Add(new AuthorizationTestCase(file, name, _ => Task.FromResult(AuthorizationTestResult.Broken($"cannot load tuples: {e.Message}"))));
                continue;
            }

            cases.Add(new AuthorizationTestCase(file, name, ct => RunAsync(model, tuples, test, stores, options, contextual: false, ct)));
            if (tuples.Count <= MaxContextualTuples)
            {
                cases.Add(new AuthorizationTestCase(file, name + "_ctxTuples", ct => RunAsync(model, tuples, test, stores, options, contextual: true, ct)));
            }
        }

        return cases;
    }

    private static async Task<AuthorizationTestResult> RunAsync(AuthorizationModel model, IReadOnlyList<RelationshipTuple> tuples, IReadOnlyDictionary<string, object?> test, Func<ITupleStore> stores, AuthorizationEngineOptions? options, bool contextual, CancellationToken cancellationToken)
    {
        await using var lease = new StoreLease(stores());
        var store = lease.Store;
        var engine = TestEngines.Create(model, store, options);
        if (!contextual && tuples.Count > 0)
        {
            await engine.WriteAsync(tuples, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var runner = new AssertionRunner(engine, contextual ? tuples : [], cancellationToken);
        foreach (var check in YamlAccess.List(test.Get("check")).Select(YamlAccess.Map))
        {
            var users = check.Texts("users").Concat(check.Texts("user")).ToList();
            var objects = check.Texts("objects").Concat(check.Texts("object")).ToList();
            // A check's own contextual tuples (as the OpenFGA CLI's store tests allow), on top of the store's.
            var own = TupleYaml.ReadAll(check.Get("contextual_tuples"));
            foreach (var (relation, expected) in YamlAccess.Map(check.Get("assertions")))
            {
                foreach (var user in users)
                {
                    foreach (var @object in objects)
                    {
                        await runner.CheckAsync(@object, relation, user, own, check.Context("context"), expected is true, null).ConfigureAwait(false);
                    }
                }
            }
        }

        foreach (var list in YamlAccess.List(test.Get("list_objects")).Select(YamlAccess.Map))
        {
            foreach (var (relation, expected) in YamlAccess.Map(list.Get("assertions")))
            {
                await runner.ListObjectsAsync(
                    list.Text("type") ?? "", relation, list.Text("user") ?? "", [], list.Context("context"),
                    [.. YamlAccess.List(expected).Select(v => v?.ToString() ?? "")], null).ConfigureAwait(false);
            }
        }

        foreach (var list in YamlAccess.List(test.Get("list_users")).Select(YamlAccess.Map))
        {
            var filters = YamlAccess.List(list.Get("user_filter")).Select(YamlAccess.Map)
                .Select(f => new UserTypeFilter(f.Text("type") ?? "", f.Text("relation"))).ToList();
            foreach (var (relation, expected) in YamlAccess.Map(list.Get("assertions")))
            {
                await runner.ListUsersAsync(
                    list.Text("object") ?? "", relation, filters, [], list.Context("context"),
                    YamlAccess.Map(expected).Texts("users"), null).ConfigureAwait(false);
            }
        }

        return new AuthorizationTestResult(runner.Failures, runner.Assertions);
    }

    private static AuthorizationModel LoadModel(IReadOnlyDictionary<string, object?> root, string directory)
    {
        if (root.Text("model") is { } dsl)
        {
            return TestEngines.Parse(dsl);
        }

        var file = root.Text("model_file") ?? throw new InvalidDataException("the store has neither 'model' nor 'model_file'");
        return TestEngines.ParseFile(Path.Combine(directory, file));
    }

    private static IReadOnlyList<RelationshipTuple> LoadTuples(IReadOnlyDictionary<string, object?> map, string directory)
    {
        var tuples = new List<RelationshipTuple>(TupleYaml.ReadAll(map.Get("tuples")));
        foreach (var file in map.Texts("tuple_file").Concat(map.Texts("tuple_files")))
        {
            var path = Path.Combine(directory, file);
            if (Path.GetExtension(path) is not (".yaml" or ".yml" or ".json"))
            {
                throw new InvalidDataException($"unsupported tuple file format: {file}");
            }

            tuples.AddRange(TupleYaml.ReadAll(YamlValues.Load(File.ReadAllText(path))));
        }

        return tuples;
    }
}
