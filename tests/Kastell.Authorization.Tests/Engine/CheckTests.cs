using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

public sealed class CheckTests
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
            define owner: [user]
            define editor: [user] or owner
            define viewer: ([user, group#member] or editor or viewer from parent) but not blocked
            define auditor: [user with from_office]
            define reviewer: editor and viewer
        condition from_office(ip: ipaddress) {
          ip.in_cidr("10.0.0.0/8")
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GrantingPath_NamesEveryRelationshipFromObjectToUser()
    {
        var engine = await EngineFixture.CreateAsync(Model, ["document:1#parent@folder:x", "folder:x#viewer@group:eng#member", "group:eng#member@user:anne"]);

        var result = await engine.CheckAsync(new CheckRequest("document:1", "viewer", "user:anne") { Explain = true }, Ct);

        Assert.True(result.Allowed);
        Assert.Equal(
            ["document:1#viewer (via viewer from parent)", "document:1#parent@folder:x", "folder:x#viewer@group:eng#member", "group:eng#member@user:anne"],
            result.Path);
        Assert.Equal("allowed: " + string.Join(" -> ", result.Path), result.Explanation);
    }

    [Fact]
    public async Task DenialReason_SaysTheUserWasExcluded()
    {
        var engine = await EngineFixture.CreateAsync(Model, ["document:1#owner@user:anne", "document:1#blocked@user:anne"]);

        var result = await engine.CheckAsync(new CheckRequest("document:1", "viewer", "user:anne") { Explain = true }, Ct);

        Assert.False(result.Allowed);
        Assert.Empty(result.Path);
        Assert.Contains("excluded by the 'but not' operand", result.DenialReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WildcardComputedIntersectionAndSelfDefiningUsersets_FollowOpenFga()
    {
        var engine = await EngineFixture.CreateAsync(Model, ["group:all#member@user:*", "document:1#viewer@group:all#member", "document:1#owner@user:bob"]);

        Assert.True(await engine.CheckAsync("document:1", "viewer", "user:zoe"));
        Assert.True(await engine.CheckAsync("document:1", "reviewer", "user:bob"));
        Assert.False(await engine.CheckAsync("document:1", "editor", "user:zoe"));
        Assert.True(await engine.CheckAsync("group:eng", "member", "group:eng#member"));
        Assert.True(await engine.CheckAsync("document:1", "viewer", "group:all#member"));
    }

    [Fact]
    public async Task ContextualTuples_CountForTheRequestOnly_AndAreValidated()
    {
        var engine = await EngineFixture.CreateAsync(Model, []);
        var request = new CheckRequest("document:1", "viewer", "user:anne") { ContextualTuples = [EngineFixture.Tuple("document:1#viewer@user:anne")] };

        Assert.True((await engine.CheckAsync(request, Ct)).Allowed);
        Assert.False(await engine.CheckAsync("document:1", "viewer", "user:anne"));
        var error = await Assert.ThrowsAsync<AuthorizationException>(async () =>
            await engine.CheckAsync(request with { ContextualTuples = [EngineFixture.Tuple("document:1#viewer@user:*")] }, Ct));
        Assert.Equal(AuthorizationErrorCode.InvalidTuple, error.Code);
    }

    [Fact]
    public async Task Conditions_AreEvaluatedWithTheRequestContext_AndMissingParametersAreAnError()
    {
        var engine = await EngineFixture.CreateAsync(Model, []);
        await engine.WriteAsync([new RelationshipTuple("document:1", "auditor", "user:anne", new TupleCondition("from_office"))], cancellationToken: Ct);
        CheckRequest Request(string? ip) => new("document:1", "auditor", "user:anne")
        {
            Context = ip is null ? null : new Dictionary<string, object?> { ["ip"] = ip },
        };

        Assert.True((await engine.CheckAsync(Request("10.0.0.7"), Ct)).Allowed);
        Assert.False((await engine.CheckAsync(Request("192.168.0.7"), Ct)).Allowed);
        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(Request(null), Ct));
        Assert.Equal(AuthorizationErrorCode.ValidationError, error.Code);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("folder:1", "viewer", "user:anne", "type 'folder' not found")]
    [InlineData("document:1", "approver", "user:anne", "relation 'document#approver' not found")]
    [InlineData("document:1", "viewer", "employee:anne", "type 'employee' not found")]
    [InlineData("document:1", "viewer", "group:eng#owner", "relation 'group#owner' not found")]
    [InlineData("document:1", "viewer", "a:b:c", "invalid 'user' field format")]
    public async Task InvalidRequests_FailWith2000(string @object, string relation, string user, string message)
    {
        var engine = await EngineFixture.CreateAsync(Model.Replace("type folder", "type folder_", StringComparison.Ordinal).Replace("[folder]", "[folder_]", StringComparison.Ordinal), []);

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest(@object, relation, user), Ct));

        Assert.Equal(AuthorizationErrorCode.ValidationError, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchCheck_AnswersEachItem_AndKeepsErrorsOnTheirItem()
    {
        var engine = await EngineFixture.CreateAsync(Model, ["document:1#owner@user:anne"]);

        var outcomes = await engine.BatchCheckAsync(
            [new CheckRequest("document:1", "editor", "user:anne"), new CheckRequest("document:1", "editor", "user:bob"), new CheckRequest("document:1", "nope", "user:anne")],
            Ct);

        Assert.Equal([true, false, false], outcomes.Select(o => o.Allowed));
        Assert.Null(outcomes[0].Error);
        Assert.Equal(AuthorizationErrorCode.ValidationError, outcomes[2].Error?.Code);
    }

    [Fact]
    public async Task StaleTuplesThatNoLongerFitTheModel_AreIgnored()
    {
        var store = new InMemoryTupleStore();
        await store.WriteAsync([EngineFixture.Tuple("document:1#viewer@group:eng#member"), EngineFixture.Tuple("group:eng#member@user:anne")], [], Ct);
        var engine = new AuthorizationEngine(Kastell.Authorization.Language.ModelParser.Parse("""
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user]
            type document
              relations
                define viewer: [user]
            """), store);

        Assert.False(await engine.CheckAsync("document:1", "viewer", "user:anne"));
    }
}
