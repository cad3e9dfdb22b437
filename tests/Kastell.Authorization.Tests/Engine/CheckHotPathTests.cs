using System.Reflection;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// Check's allocation-free path: the per-thread pooled evaluator, the span-based validation of the request user and
/// target, and the model's interned names must give exactly the answers and errors of the plain path.
/// </summary>
public sealed class CheckHotPathTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type group
          relations
            define member: [user, user:*, group#member]
        type folder
          relations
            define viewer: [user, group#member]
        type document
          relations
            define parent: [folder]
            define blocked: [user]
            define viewer: ([user, group#member] or viewer from parent) but not blocked
        """;

    private static readonly string[] Tuples =
    [
        "group:eng#member@user:anne",
        "group:all#member@user:*",
        "group:outer#member@group:eng#member",
        "folder:f#viewer@group:outer#member",
        "document:1#parent@folder:f",
        "document:1#blocked@user:bob",
        "document:1#viewer@user:bob",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APooledEvaluator_LeftByAFailedCheck_GivesTheNextCheckOnTheThreadAFreshStart()
    {
        // A chain one group deeper than the resolution limit fails mid-evaluation, with a full stack and its deadline.
        var chain = Enumerable.Range(0, 25).Select(i => $"group:g{i}#member@group:g{i + 1}#member").Append("group:g25#member@user:carl");
        var engine = await EngineFixture.CreateAsync(Model, Tuples.Concat(chain).Append("folder:deep#viewer@group:g0#member"));

        for (var round = 0; round < 3; round++)
        {
            var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest("folder:deep", "viewer", "user:carl"), Ct));
            Assert.Equal(AuthorizationErrorCode.AuthorizationModelResolutionTooComplex, error.Code);
            Assert.True(await engine.CheckAsync("document:1", "viewer", "user:anne"));
            Assert.False(await engine.CheckAsync("document:1", "viewer", "user:bob"));
            Assert.True(await engine.CheckAsync("group:g20", "member", "user:carl"));
        }
    }

    [Fact]
    public async Task ChecksOnOneThread_DoNotSeeEachOthersUsersOrContexts()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        // Alternating users and objects on one evaluator: any state carried over (user, memo, stack) would show here.
        for (var i = 0; i < 200; i++)
        {
            Assert.True(await engine.CheckAsync("document:1", "viewer", "user:anne"));
            Assert.False(await engine.CheckAsync("document:1", "viewer", "user:bob"));
            Assert.True(await engine.CheckAsync("group:all", "member", "user:zoe"));
            Assert.False(await engine.CheckAsync("folder:f", "viewer", "user:zoe"));
            Assert.True(await engine.CheckAsync("group:outer", "member", "group:eng#member"));
        }
    }

    [Fact]
    public async Task PooledChecks_WithAFullMemo_Conditions_AndContextualTuples_DoNotCarryOver()
    {
        const string wide = """
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user, user with before_noon]
            type document
              relations
                define viewer: [group#member]
            condition before_noon(hour: int) {
              hour < 12
            }
            """;
        // 100 groups: a check walks more of them than the evaluator's memo threshold, so the memo fills each time.
        var tuples = Enumerable.Range(0, 100).Select(i => EngineFixture.Tuple($"document:wide#viewer@group:g{i}#member")).ToList();
        tuples.Add(EngineFixture.Tuple("group:g99#member@user:last"));
        tuples.Add(new RelationshipTuple("group:g50", "member", "user:morning", new TupleCondition("before_noon")));
        var engine = await EngineFixture.CreateAsync(wide, []);
        await engine.WriteAsync(tuples, cancellationToken: Ct);
        RelationshipTuple[] grant = [EngineFixture.Tuple("group:g7#member@user:visitor")];

        for (var i = 0; i < 50; i++)
        {
            Assert.True(await engine.CheckAsync("document:wide", "viewer", "user:last"));
            Assert.False(await engine.CheckAsync("document:wide", "viewer", "user:other"));
            Assert.True(await AllowedAsync(new("document:wide", "viewer", "user:morning") { Context = new Dictionary<string, object?> { ["hour"] = 9 } }));
            Assert.False(await AllowedAsync(new("document:wide", "viewer", "user:morning") { Context = new Dictionary<string, object?> { ["hour"] = 15 } }));
            Assert.True(await AllowedAsync(new("document:wide", "viewer", "user:visitor") { ContextualTuples = grant }));
            Assert.False(await engine.CheckAsync("document:wide", "viewer", "user:visitor"));
        }

        async Task<bool> AllowedAsync(CheckRequest request) => (await engine.CheckAsync(request, Ct)).Allowed;
    }

    [Fact]
    public async Task AnExplainedCheck_AndAPooledCheck_GiveTheSameAnswers()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);
        string[] users = ["user:anne", "user:bob", "user:zoe", "user:*", "group:eng#member", "group:outer#member", "group:all#member"];
        string[] objects = ["document:1", "folder:f", "group:eng", "group:outer", "group:all"];

        foreach (var user in users)
        {
            foreach (var @object in objects)
            {
                var relation = @object.StartsWith("group:", StringComparison.Ordinal) ? "member" : "viewer";
                var plain = await engine.CheckAsync(new CheckRequest(@object, relation, user), Ct);
                var explained = await engine.CheckAsync(new CheckRequest(@object, relation, user) { Explain = true }, Ct);
                Assert.True(plain.Allowed == explained.Allowed, $"{@object}#{relation}@{user}");
            }
        }
    }

    /// <summary>
    /// The span-based fast paths repeat the parsing rules of <see cref="TupleParts"/>. Over thousands of generated
    /// strings (separators, wildcards, blanks, unknown names in every position), whatever a fast path accepts the slow
    /// path accepts too, with the same result; whatever the slow path refuses, the fast path refuses.
    /// </summary>
    [Fact]
    public void TheFastPaths_AcceptExactlyWhatTheSlowPathsAccept_OnGeneratedInput()
    {
        var model = new CompiledModel(ModelParser.Parse(Model), null);
        string[] pieces = ["user", "group", "document", "folder", "member", "viewer", "parent", "x", "anne", "*", ":", "#", "@", " ", "\t", "", "1", "a.b", "ü"];
        var random = new Random(20261123);
        var compared = 0;
        for (var i = 0; i < 20_000; i++)
        {
            string Piece() => string.Concat(Enumerable.Range(0, random.Next(1, 3)).Select(_ => pieces[random.Next(pieces.Length)]));
            var value = random.Next(3) switch
            {
                0 => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)])),
                1 => $"{Piece()}:{Piece()}",
                _ => $"{Piece()}:{Piece()}#{Piece()}",
            };

            var fast = RequestUser.TryResolve(model, value, out var fastUser);
            RequestUser? slowUser = null;
            try
            {
                slowUser = RequestUser.From(model, TupleValidator.ValidateRequestUser(model, value), value);
            }
            catch (AuthorizationException)
            {
            }

            if (fast)
            {
                Assert.True(slowUser is not null, $"fast path accepted '{value}', the slow path refuses it");
                Assert.Equal((slowUser.Value.Kind, slowUser.Value.Type, slowUser.Value.Relation, slowUser.Value.ObjectLength, slowUser.Value.Wildcard),
                    (fastUser.Kind, fastUser.Type, fastUser.Relation, fastUser.ObjectLength, fastUser.Wildcard));
                compared++;
            }

            var relation = pieces[random.Next(pieces.Length)];
            CompiledRelation? target = null;
            string? targetError = null;
            try
            {
                target = TupleValidator.ValidateCheckTarget(model, value, relation);
            }
            catch (AuthorizationException error)
            {
                targetError = error.Message;
            }

            // The slow rules, spelled out: a well-formed object of a known type, a relation of that type.
            var slowTarget = TupleParts.TrySplitObject(value, out var type, out _) && model.HasType(type) ? model.FindRelation(type, relation) : null;
            Assert.True(ReferenceEquals(target, slowTarget), $"'{value}' '{relation}': {targetError}");
        }

        Assert.True(compared > 500, $"only {compared} generated users were valid");
    }

    [Theory]
    [InlineData("user:anne")]
    [InlineData("user:*")]
    [InlineData("group:eng#member")]
    [InlineData("user:with.dots-and_underscores|pipes")]
    public void TheSpanParsedRequestUser_MatchesTheParsedUser(string value)
    {
        var model = new CompiledModel(ModelParser.Parse(Model), null);
        Assert.True(RequestUser.TryResolve(model, value, out var fast));
        var slow = RequestUser.From(model, TupleValidator.ValidateRequestUser(model, value), value);

        Assert.Equal(slow.Kind, fast.Kind);
        Assert.Equal(slow.Value, fast.Value);
        Assert.Equal(slow.Type, fast.Type);
        Assert.Equal(slow.Relation, fast.Relation);
        Assert.Equal(slow.ObjectLength, fast.ObjectLength);
        Assert.Equal(slow.SubjectKind, fast.SubjectKind);
        Assert.Equal(slow.ReachKind, fast.ReachKind);
        Assert.Equal(slow.Wildcard, fast.Wildcard);
    }

    [Theory]
    [InlineData("", "invalid 'user' field format: ''")]
    [InlineData("anne", "invalid 'user' field format: 'anne'")]
    [InlineData("user:", "invalid 'user' field format: 'user:'")]
    [InlineData(":anne", "invalid 'user' field format: ':anne'")]
    [InlineData("user:an ne", "invalid 'user' field format: 'user:an ne'")]
    [InlineData("user:*#member", "invalid 'user' field format: 'user:*#member'")]
    [InlineData("group:eng#", "invalid 'user' field format: 'group:eng#'")]
    [InlineData("group:eng#mem ber", "invalid 'user' field format: 'group:eng#mem ber'")]
    [InlineData("robot:r2", "type 'robot' not found")]
    [InlineData("group:eng#owner", "relation 'group#owner' not found")]
    public async Task AnInvalidRequestUser_FailsWithTheSameErrorAsBefore(string user, string message)
    {
        var model = new CompiledModel(ModelParser.Parse(Model), null);
        Assert.False(RequestUser.TryResolve(model, user, out _));
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest("document:1", "viewer", user), Ct));

        Assert.Equal(AuthorizationErrorCode.ValidationError, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("document", "viewer", "invalid 'object' field format: 'document'")]
    [InlineData("document:", "viewer", "invalid 'object' field format: 'document:'")]
    [InlineData("document:a b", "viewer", "invalid 'object' field format: 'document:a b'")]
    [InlineData("document:a#b", "viewer", "invalid 'object' field format: 'document:a#b'")]
    [InlineData("report:1", "viewer", "type 'report' not found")]
    [InlineData("document:1", "editor", "relation 'document#editor' not found")]
    public async Task AnInvalidCheckTarget_FailsWithTheSameErrorAsBefore(string @object, string relation, string message)
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest(@object, relation, "user:anne"), Ct));

        Assert.Equal(AuthorizationErrorCode.ValidationError, error.Code);
        Assert.Equal(message, error.Message);
    }

    /// <summary>
    /// Allocations are counted, not timed, so this is deterministic: after a warm-up, checks over the in-memory store
    /// (granted and denied, through usersets, tuple-to-userset, wildcards and an exclusion) allocate nothing.
    /// </summary>
    [Fact]
    public async Task WarmChecksOverTheInMemoryStore_AllocateNothing()
    {
        // A Debug build compiles without optimization (no stack allocation of short-lived objects); CI builds Release.
        if (typeof(AuthorizationEngine).Assembly.GetCustomAttribute<System.Diagnostics.DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            Assert.Skip("Allocation-free checks are a property of the optimized (Release) build.");
        }

        var engine = new AuthorizationEngine(ModelParser.Parse(Model), new InMemoryTupleStore());
        await engine.WriteAsync([.. Tuples.Select(EngineFixture.Tuple)], cancellationToken: Ct);
        CheckRequest[] requests =
        [
            new("document:1", "viewer", "user:anne"),
            new("document:1", "viewer", "user:bob"),
            new("document:1", "viewer", "user:zoe"),
            new("group:all", "member", "user:zoe"),
            new("group:outer", "member", "group:eng#member"),
        ];

        // From here on nothing awaits: the loops run on one thread, whose allocation counter is read. "Warm" means
        // compiled at the JIT's optimizing tier (where short-lived objects can live on the stack), which happens on a
        // background thread some time after the first calls: batches are measured until one allocates nothing, with
        // pauses for the JIT, and a path that keeps allocating fails after the last batch.
        var allowed = 0;
        var checks = 0;
        long allocated = -1;
        for (var batch = 0; batch < 40 && allocated != 0; batch++)
        {
            Thread.Sleep(batch == 0 ? 0 : 100);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1_000; i++, checks++)
            {
                allowed += Check(engine, requests[i % requests.Length]) ? 1 : 0;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
        Assert.Equal(3 * checks / 5, allowed);
    }

    private static bool Check(AuthorizationEngine engine, CheckRequest request)
    {
        var pending = engine.CheckAsync(request, Ct);
        Assert.True(pending.IsCompletedSuccessfully);
        return pending.Result.Allowed;
    }
}
