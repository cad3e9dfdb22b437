using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;
using Kastell.Authorization.Testing;
using Kastell.Authorization.Tests.Conformance;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// The EF Core tuple store's contract (reads per store, atomic batches with OpenFGA's errors, condition contexts, the
/// whole conformance suite through the store), run on each database provider the host supports.
/// </summary>
public abstract class EntityFrameworkTupleStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AuthorizationEngineOptions GenerousDeadlines = new() { CheckTimeout = TimeSpan.FromMinutes(2), ListTimeout = TimeSpan.FromMinutes(2) };

    /// <summary>A new, empty store.</summary>
    protected abstract ITupleStore NewStore();

    /// <summary>Another store (tenant) in the same table as <paramref name="store"/>.</summary>
    protected abstract ITupleStore OtherStoreBeside(ITupleStore store);

    [Fact]
    public async Task Reads_ServeForwardUsersetAndReverseLookups_PerStore()
    {
        var store = NewStore();
        var other = OtherStoreBeside(store);
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:anne"), EngineFixture.Tuple("document:1#viewer@group:eng#member"), EngineFixture.Tuple("document:2#viewer@user:anne")], [], Ct);
        await other.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:zoe")], [], Ct);

        Assert.Equal(["group:eng#member", "user:anne"], (await store.ReadAsync("document:1", "viewer", Ct)).Select(t => t.User).Order());
        Assert.Equal("group:eng#member", Assert.Single(await store.ReadUsersetTuplesAsync("document:1", "viewer", Ct)).User);
        Assert.Equal(["document:1", "document:2"], (await store.ReadByUserAsync("user:anne", "viewer", "document", Ct)).Select(t => t.Object).Order());
        Assert.Null(await store.ReadTupleAsync("document:1", "viewer", "user:zoe", Ct));
        Assert.NotNull(await other.ReadTupleAsync("document:1", "viewer", "user:zoe", Ct));
    }

    [Fact]
    public async Task ReadObjects_ReturnsTheUsersTuplesAndTheLinks_OfEachObject_AndNothingElse()
    {
        var store = NewStore();
        var other = OtherStoreBeside(store);
        await store.WriteAsync([.. new[]
        {
            "space:1#viewer@user:anne", "space:1#editor@user:anne", "space:1#viewer@user:bob", "space:1#viewer@team:a#member",
            "space:1#organization@organization:o", "space:1#viewer@user:*", "space:2#manager@user:anne", "space:2#editor@team:b#member",
            "space:3#viewer@user:anne", "team:a#member@user:anne", "team:a#member@team:c#member", "team:a#member@user:bob",
        }.Select(EngineFixture.Tuple)], [], Ct);
        await other.WriteAsync([EngineFixture.Tuple("space:1#viewer@user:anne"), EngineFixture.Tuple("space:1#editor@team:z#member")], [], Ct);
        var batches = (ITupleBatchReader)Unwrap(store);

        var withLinks = await batches.ReadObjectsAsync(["space:1", "space:2", "team:a"], ["user:anne", "user:*"], ["organization"], Ct);
        var usersOnly = await batches.ReadObjectsAsync(["space:1", "space:3"], ["user:bob"], null, Ct);

        Assert.Equal(
            ["space:1#editor@user:anne", "space:1#organization@organization:o", "space:1#viewer@team:a#member", "space:1#viewer@user:*", "space:1#viewer@user:anne",
             "space:2#editor@team:b#member", "space:2#manager@user:anne", "team:a#member@team:c#member", "team:a#member@user:anne"],
            withLinks.Select(t => t.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["space:1#viewer@user:bob"], usersOnly.Select(t => t.ToString()));
    }

    /// <summary>The EF store behind a test wrapper (the wrappers forward only the single reads).</summary>
    protected virtual ITupleStore Unwrap(ITupleStore store) => store;

    [Fact]
    public async Task ABatchWithAnExistingTuple_FailsWith2017_AndRollsBack()
    {
        var store = NewStore();
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
        var store = NewStore();
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:anne")], [], Ct);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await store.WriteAsync([], [new TupleKey("document:1", "viewer", "user:anne"), new TupleKey("document:1", "viewer", "user:zoe")], Ct));

        Assert.Equal(AuthorizationErrorCode.WriteFailedDueToInvalidInput, error.Code);
        Assert.NotNull(await store.ReadTupleAsync("document:1", "viewer", "user:anne", Ct));
    }

    [Fact]
    public async Task ConditionContext_RoundTripsAsJsonLikeValues()
    {
        var store = NewStore();
        var context = new Dictionary<string, object?> { ["limit"] = 5.0, ["tags"] = new List<object?> { "a", true }, ["nested"] = new Dictionary<string, object?> { ["x"] = null } };
        await store.WriteAsync([new RelationshipTuple("document:1", "viewer", "user:anne", new TupleCondition("cond", context))], [], Ct);

        var read = (await store.ReadTupleAsync("document:1", "viewer", "user:anne", Ct))!.Condition!;

        Assert.Equal("cond", read.Name);
        Assert.Equal(5.0, read.Context!["limit"]);
        Assert.Equal(["a", true], (IEnumerable<object?>)read.Context["tags"]!);
        Assert.True(((IReadOnlyDictionary<string, object?>)read.Context["nested"]!).ContainsKey("x"));
    }

    /// <summary>
    /// The whole consolidated conformance suite, writes included, against the EF Core store. It tests semantics, not
    /// speed: every read is a database round trip, and on a busy machine the default 3 s deadlines of Check and the
    /// list queries would cut results short, so they are raised here.
    /// </summary>
    [Fact]
    public async Task ConsolidatedConformanceSuite_Passes()
    {
        var failures = new List<string>();
        var tests = AuthorizationTestRunner.Load(ConformanceData.ConformanceFile("consolidated_1_1_tests.yaml"), NewStore, GenerousDeadlines)
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

public sealed class EntityFrameworkTupleStoreTestsOnSqlite : EntityFrameworkTupleStoreTests, IDisposable
{
    private readonly List<SqliteTupleStore> _stores = [];

    protected override ITupleStore NewStore()
    {
        var store = new SqliteTupleStore();
        _stores.Add(store);
        return store;
    }

    protected override ITupleStore OtherStoreBeside(ITupleStore store) => ((SqliteTupleStore)store).ForStore("store-2");

    protected override ITupleStore Unwrap(ITupleStore store) => ((SqliteTupleStore)store).ForStore("store-1");

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }
}

public sealed class EntityFrameworkTupleStoreTestsOnPostgres(PostgresTupleDatabase database) : EntityFrameworkTupleStoreTests, IClassFixture<PostgresTupleDatabase>
{
    protected override ITupleStore NewStore() => database.NewStore();

    protected override ITupleStore OtherStoreBeside(ITupleStore store) => database.NewStore();

    /// <summary>
    /// Real concurrent transactions (which the single SQLite test connection cannot give): batches racing to write the
    /// same tuple all pass the existence check, the primary key lets exactly one commit, the others fail with 2017 and
    /// leave nothing of their batch behind.
    /// </summary>
    [Fact]
    public async Task ConcurrentBatchesWritingTheSameTuple_OneCommits_TheOthersFailWith2017AndApplyNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = database.NewStore();
        var contested = EngineFixture.Tuple("document:contested#viewer@user:anne");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await store.WriteAsync([EngineFixture.Tuple($"document:own-{i}#viewer@user:anne"), contested], [], ct);
                return (Batch: i, Error: (AuthorizationException?)null);
            }
            catch (AuthorizationException e)
            {
                return (Batch: i, Error: e);
            }
        }));

        var winner = Assert.Single(outcomes, o => o.Error is null);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.Equal(AuthorizationErrorCode.WriteFailedDueToInvalidInput, o.Error!.Code));
        var applied = await store.ReadByUserAsync("user:anne", "viewer", "document", ct);
        Assert.Equal(["document:contested", $"document:own-{winner.Batch}"], applied.Select(t => t.Object).Order(StringComparer.Ordinal));
    }
}
