using System.Diagnostics;
using Kastell.Authorization.Engine;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>Deep nesting, cycles and huge fan-outs end in a result or a bounded error, never a stack overflow or a hang.</summary>
public sealed class PathologicalModelTests
{
    private const string Groups = """
        model
          schema 1.1
        type user
        type group
          relations
            define member: [user, group#member]
        type document
          relations
            define viewer: [group#member]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>group:g0 contains g1 contains ... contains g(n-1), which contains anne; document:1 is viewable by g0.</summary>
    private static IEnumerable<string> Chain(int groups) =>
        Enumerable.Range(0, groups - 1).Select(i => $"group:g{i}#member@group:g{i + 1}#member")
            .Append($"group:g{groups - 1}#member@user:anne")
            .Append("document:1#viewer@group:g0#member");

    [Fact]
    public async Task NestingWithinTheResolutionLimit_Resolves()
    {
        // document#viewer plus 24 nested groups: 24 dispatches below the root, the most OpenFGA allows.
        var engine = await EngineFixture.CreateAsync(Groups, Chain(24));

        Assert.True(await engine.CheckAsync("document:1", "viewer", "user:anne"));
    }

    [Fact]
    public async Task NestingBeyondTheResolutionLimit_FailsWith2002()
    {
        var engine = await EngineFixture.CreateAsync(Groups, Chain(25));

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest("document:1", "viewer", "user:anne"), Ct));

        Assert.Equal(AuthorizationErrorCode.AuthorizationModelResolutionTooComplex, error.Code);
    }

    [Fact]
    public async Task VeryDeepNesting_NeverOverflowsTheStack_InAnyQuery()
    {
        var engine = await EngineFixture.CreateAsync(Groups, Chain(5000));

        var check = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest("document:1", "viewer", "user:anne"), Ct));
        var listUsers = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await engine.ListUsersAsync(new ListUsersRequest("document:1", "viewer", [new UserTypeFilter("user")]), Ct));
        var listObjects = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "user:anne"), Ct));

        Assert.All([check, listUsers, listObjects], e => Assert.Equal(AuthorizationErrorCode.AuthorizationModelResolutionTooComplex, e.Code));
    }

    [Fact]
    public async Task Cycles_EvaluateToFalse_NotToAnError()
    {
        var engine = await EngineFixture.CreateAsync(Groups, ["group:a#member@group:b#member", "group:b#member@group:c#member", "group:c#member@group:a#member", "document:1#viewer@group:a#member"]);

        Assert.False(await engine.CheckAsync("document:1", "viewer", "user:anne"));
        Assert.Empty((await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "user:anne"), Ct)).Objects);
        Assert.Empty((await engine.ListUsersAsync(new ListUsersRequest("document:1", "viewer", [new UserTypeFilter("user")]), Ct)).Users);
    }

    [Fact]
    public async Task SelfReferentialRewrites_EvaluateToFalse()
    {
        var engine = await EngineFixture.CreateAsync("""
            model
              schema 1.1
            type user
            type document
              relations
                define a: [user] or b
                define b: [user] or c
                define c: a
            """, []);

        Assert.False(await engine.CheckAsync("document:1", "a", "user:anne"));
    }

    [Fact]
    public async Task HugeFanOut_StopsAtTheDeadline()
    {
        // 40k groups of 3 members each, none of them anne: a miss must visit every group.
        var tuples = Enumerable.Range(0, 40_000).SelectMany(i => new[]
        {
            $"document:1#viewer@group:g{i}#member",
            $"group:g{i}#member@group:h{i}#member",
            $"group:h{i}#member@user:u{i}",
        });
        var engine = await EngineFixture.CreateAsync(Groups, tuples, new AuthorizationEngineOptions { CheckTimeout = TimeSpan.FromMilliseconds(20) });

        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest("document:1", "viewer", "user:anne"), Ct));

        Assert.Equal(AuthorizationErrorCode.DeadlineExceeded, error.Code);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task ListObjects_HonoursTheResultLimit()
    {
        var engine = await EngineFixture.CreateAsync(Groups, Enumerable.Range(0, 50).Select(i => $"document:{i}#viewer@group:eng#member").Append("group:eng#member@user:anne"), new AuthorizationEngineOptions { ListObjectsMaxResults = 10 });

        var result = await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "user:anne"), Ct);

        Assert.Equal(10, result.Objects.Count);
        Assert.Equal(10, result.Objects.Distinct().Count());
        Assert.True(result.Truncated);
    }
}
