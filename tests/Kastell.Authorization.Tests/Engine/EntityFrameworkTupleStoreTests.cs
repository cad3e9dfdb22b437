using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;
using Kastell.Authorization.Testing;
using Kastell.Authorization.Tests.Conformance;

namespace Kastell.Authorization.Tests.Engine;

public sealed class EntityFrameworkTupleStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_ServeForwardUsersetAndReverseLookups_PerStore()
    {
        using var store = new SqliteTupleStore();
        var other = store.ForStore("store-2");
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:anne"), EngineFixture.Tuple("document:1#viewer@group:eng#member"), EngineFixture.Tuple("document:2#viewer@user:anne")], [], Ct);
        await other.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:zoe")], [], Ct);

        Assert.Equal(["group:eng#member", "user:anne"], (await store.ReadAsync("document:1", "viewer", Ct)).Select(t => t.User).Order());
        Assert.Equal("group:eng#member", Assert.Single(await store.ReadUsersetTuplesAsync("document:1", "viewer", Ct)).User);
        Assert.Equal(["document:1", "document:2"], (await store.ReadByUserAsync("user:anne", "viewer", "document", Ct)).Select(t => t.Object).Order());
        Assert.Null(await store.ReadTupleAsync("document:1", "viewer", "user:zoe", Ct));
        Assert.NotNull(await other.ReadTupleAsync("document:1", "viewer", "user:zoe", Ct));
    }

    [Fact]
    public async Task ABatchWithAnExistingTuple_FailsWith2017_AndRollsBack()
    {
        using var store = new SqliteTupleStore();
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:anne")], [], Ct);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:bob"), EngineFixture.Tuple("document:1#viewer@user:anne")], [new TupleKey("document:1", "viewer", "user:anne")], Ct));

        Assert.Equal(AuthorizationErrorCode.CannotAllowDuplicateTuplesInOneRequest, error.Code);
        error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:bob"), EngineFixture.Tuple("document:1#viewer@user:anne")], [], Ct));
        Assert.Equal(AuthorizationErrorCode.WriteFailedDueToInvalidInput, error.Code);
        Assert.Null(await store.ReadTupleAsync("document:1", "viewer", "user:bob", Ct));
    }

    [Fact]
    public async Task ABatchDeletingAMissingTuple_FailsWith2017_AndRollsBackItsOtherDeletes()
    {
        using var store = new SqliteTupleStore();
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:anne")], [], Ct);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await store.WriteAsync([], [new TupleKey("document:1", "viewer", "user:anne"), new TupleKey("document:1", "viewer", "user:zoe")], Ct));

        Assert.Equal(AuthorizationErrorCode.WriteFailedDueToInvalidInput, error.Code);
        Assert.NotNull(await store.ReadTupleAsync("document:1", "viewer", "user:anne", Ct));
    }

    [Fact]
    public async Task ConditionContext_RoundTripsAsJsonLikeValues()
    {
        using var store = new SqliteTupleStore();
        var context = new Dictionary<string, object?> { ["limit"] = 5.0, ["tags"] = new List<object?> { "a", true }, ["nested"] = new Dictionary<string, object?> { ["x"] = null } };
        await store.WriteAsync([new RelationshipTuple("document:1", "viewer", "user:anne", new TupleCondition("cond", context))], [], Ct);

        var read = (await store.ReadTupleAsync("document:1", "viewer", "user:anne", Ct))!.Condition!;

        Assert.Equal("cond", read.Name);
        Assert.Equal(5.0, read.Context!["limit"]);
        Assert.Equal(["a", true], (IEnumerable<object?>)read.Context["tags"]!);
        Assert.True(((IReadOnlyDictionary<string, object?>)read.Context["nested"]!).ContainsKey("x"));
    }

    /// <summary>The whole consolidated conformance suite, writes included, against the EF Core store on SQLite.</summary>
    [Fact]
    public async Task ConsolidatedConformanceSuite_PassesOnSqlite()
    {
        var failures = new List<string>();
        var tests = AuthorizationTestRunner.Load(SharedData.ConformanceFile("consolidated_1_1_tests.yaml"), () => new SqliteTupleStore())
            .Where(t => !t.Name.EndsWith("_ctxTuples", StringComparison.Ordinal))
            .ToList();
        foreach (var test in tests)
        {
            var result = await test.RunAsync(Ct);
            failures.AddRange(result.Failures.Select(f => $"{test.Name}: {f}"));
        }

        Assert.Equal(137, tests.Count);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }
}
