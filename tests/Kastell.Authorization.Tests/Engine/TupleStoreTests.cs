using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

public sealed class TupleStoreTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type group
          relations
            define member: [user, group#member]
        type document
          relations
            define viewer: [user, user:*, group#member]
            define editor: [user with in_office]
        condition in_office(ip: ipaddress) {
          ip.in_cidr("10.0.0.0/8")
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WritingAnExistingTuple_FailsWith2017_AndAppliesNothingOfTheBatch()
    {
        var engine = await EngineFixture.CreateAsync(Model, ["document:1#viewer@user:anne"]);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await engine.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:bob"), EngineFixture.Tuple("document:1#viewer@user:anne")], cancellationToken: Ct));

        Assert.Equal(AuthorizationErrorCode.WriteFailedDueToInvalidInput, error.Code);
        Assert.Contains("cannot write a tuple which already exists", error.Message, StringComparison.Ordinal);
        Assert.False(await engine.CheckAsync("document:1", "viewer", "user:bob"));
    }

    [Fact]
    public async Task DeletingAMissingTuple_FailsWith2017_AndAppliesNothingOfTheBatch()
    {
        var engine = await EngineFixture.CreateAsync(Model, ["document:1#viewer@user:anne"]);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await engine.WriteAsync([], [new TupleKey("document:1", "viewer", "user:anne"), new TupleKey("document:1", "viewer", "user:zoe")], Ct));

        Assert.Equal(AuthorizationErrorCode.WriteFailedDueToInvalidInput, error.Code);
        Assert.Contains("cannot delete a tuple which does not exist", error.Message, StringComparison.Ordinal);
        Assert.True(await engine.CheckAsync("document:1", "viewer", "user:anne"));
    }

    [Fact]
    public async Task TheSameKeyTwiceInOneBatch_FailsWith2004()
    {
        var engine = await EngineFixture.CreateAsync(Model, []);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await engine.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:anne")], [new TupleKey("document:1", "viewer", "user:anne")], Ct));

        Assert.Equal(AuthorizationErrorCode.CannotAllowDuplicateTuplesInOneRequest, error.Code);
    }

    [Theory]
    [InlineData("folder:1#viewer@user:anne", "type 'folder' not found")]
    [InlineData("document:1#owner@user:anne", "relation 'document#owner' not found")]
    [InlineData("document:1#viewer@group:eng", "type 'group' is not an allowed type restriction for 'document#viewer'")]
    [InlineData("document:1#viewer@group:eng#owner", "relation 'group#owner' not found")]
    [InlineData("document:1#editor@user:*", "type 'user:*' is not an allowed type restriction for 'document#editor'")]
    [InlineData("document:1#editor@user:anne", "only allowed with a condition")]
    [InlineData("document:1#viewer@a:b:c", "the 'user' field is malformed")]
    public async Task TuplesOutsideTheModelsTypeRestrictions_AreRejectedWith2027(string tuple, string reason)
    {
        var engine = await EngineFixture.CreateAsync(Model, []);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.WriteAsync([EngineFixture.Tuple(tuple)], cancellationToken: Ct));

        Assert.Equal(AuthorizationErrorCode.InvalidTuple, error.Code);
        Assert.StartsWith("Invalid tuple ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConditionalTuple_IsAccepted_AndReadBackWithItsCondition()
    {
        var store = new InMemoryTupleStore();
        var engine = new AuthorizationEngine(Kastell.Authorization.Language.ModelParser.Parse(Model), store, new Kastell.Authorization.Conditions.CelConditionEvaluator());

        await engine.WriteAsync([new RelationshipTuple("document:1", "editor", "user:anne", new TupleCondition("in_office"))], cancellationToken: Ct);

        var stored = await store.ReadTupleAsync("document:1", "editor", "user:anne", Ct);
        Assert.Equal("in_office", stored?.Condition?.Name);
        Assert.True((await engine.CheckAsync(new CheckRequest("document:1", "editor", "user:anne") { Context = new Dictionary<string, object?> { ["ip"] = "10.1.2.3" } }, Ct)).Allowed);
    }

    [Fact]
    public async Task Indexes_ServeForwardUsersetAndReverseLookups_AndForgetDeletedTuples()
    {
        var store = new InMemoryTupleStore();
        await store.WriteAsync(
            [EngineFixture.Tuple("document:1#viewer@user:anne"), EngineFixture.Tuple("document:1#viewer@group:eng#member"), EngineFixture.Tuple("document:2#viewer@user:anne")],
            [],
            Ct);

        Assert.Equal(2, (await store.ReadAsync("document:1", "viewer", Ct)).Count);
        Assert.Equal("group:eng#member", Assert.Single(await store.ReadUsersetTuplesAsync("document:1", "viewer", Ct)).User);
        Assert.Equal(["document:1", "document:2"], (await store.ReadByUserAsync("user:anne", "viewer", "document", Ct)).Select(t => t.Object).Order());

        await store.WriteAsync([], [new TupleKey("document:1", "viewer", "group:eng#member"), new TupleKey("document:1", "viewer", "user:anne")], Ct);

        Assert.Empty(await store.ReadAsync("document:1", "viewer", Ct));
        Assert.Empty(await store.ReadUsersetTuplesAsync("document:1", "viewer", Ct));
        Assert.Equal("document:2", Assert.Single(await store.ReadByUserAsync("user:anne", "viewer", "document", Ct)).Object);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task AListReadEarlier_DoesNotChangeWhenLaterWritesAppend()
    {
        var store = new InMemoryTupleStore();
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@user:u0")], [], Ct);
        var before = await store.ReadAsync("document:1", "viewer", Ct);

        for (var i = 1; i < 10; i++)
        {
            await store.WriteAsync([EngineFixture.Tuple($"document:1#viewer@user:u{i}")], [], Ct);
        }

        Assert.Equal(["user:u0"], before.Select(t => t.User));
        Assert.Equal(10, (await store.ReadAsync("document:1", "viewer", Ct)).Count);
    }

    [Fact]
    public async Task ConcurrentReaders_SeeEachBatchWhole()
    {
        var store = new InMemoryTupleStore();
        using var stop = new CancellationTokenSource();
        var torn = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 200; i++)
                {
                    // Each batch writes a then b: whoever sees a must also see b.
                    if (await store.ReadTupleAsync($"doc:{i}", "a", "user:x", CancellationToken.None) is not null && await store.ReadTupleAsync($"doc:{i}", "b", "user:x", CancellationToken.None) is null)
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
            }
        }, CancellationToken.None);

        for (var i = 0; i < 200; i++)
        {
            await store.WriteAsync([new RelationshipTuple($"doc:{i}", "a", "user:x"), new RelationshipTuple($"doc:{i}", "b", "user:x")], [], Ct);
        }

        await stop.CancelAsync();
        await reader;
        Assert.Equal(0, torn);
        Assert.Equal(400, store.Count);
    }

    [Fact]
    public async Task LoadingAHugeFanOut_IsLinear()
    {
        var store = new InMemoryTupleStore();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 100_000; i++)
        {
            await store.WriteAsync([new RelationshipTuple("document:1", "viewer", $"user:{i}")], [], Ct);
        }

        Assert.Equal(100_000, (await store.ReadAsync("document:1", "viewer", Ct)).Count);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"100k single-tuple writes to one object took {started.Elapsed}");
    }
}
