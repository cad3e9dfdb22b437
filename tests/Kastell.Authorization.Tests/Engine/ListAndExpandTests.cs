using Kastell.Authorization.Engine;

namespace Kastell.Authorization.Tests.Engine;

public sealed class ListAndExpandTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type group
          relations
            define member: [user, user:*, group#member]
        type document
          relations
            define blocked: [user]
            define owner: [user]
            define viewer: ([user, group#member] or owner) but not blocked
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Tuples =
    [
        "group:eng#member@user:anne",
        "group:eng#member@group:ops#member",
        "group:ops#member@user:bob",
        "group:all#member@user:*",
        "document:1#viewer@group:eng#member",
        "document:1#owner@user:carl",
        "document:1#blocked@user:bob",
        "document:2#viewer@group:all#member",
    ];

    [Fact]
    public async Task ListUsers_ReturnsUsersWildcardsAndUsersetsPerFilter_Deduplicated_AndHonoursExclusion()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var users = await engine.ListUsersAsync(new ListUsersRequest("document:1", "viewer", [new UserTypeFilter("user")]), Ct);
        var usersets = await engine.ListUsersAsync(new ListUsersRequest("document:1", "viewer", [UserTypeFilter.Parse("group#member")]), Ct);
        var everyone = await engine.ListUsersAsync(new ListUsersRequest("document:2", "viewer", [new UserTypeFilter("user")]), Ct);

        Assert.Equal(["user:anne", "user:carl"], users.Users.Order());
        Assert.Equal(["group:eng#member", "group:ops#member"], usersets.Users.Order());
        Assert.Equal(["user:*"], everyone.Users);
    }

    [Fact]
    public async Task ListObjects_FollowsUsersetsAndWildcards_AndHonoursExclusion()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        Assert.Equal(["document:1", "document:2"], (await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "user:anne"), Ct)).Objects.Order());
        Assert.Equal(["document:2"], (await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "user:bob"), Ct)).Objects);
        Assert.Equal(["document:1"], (await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "group:ops#member"), Ct)).Objects);
    }

    [Fact]
    public async Task ListQueries_RejectUnknownTypesAndRelations_WithOpenFgaCodes()
    {
        var engine = await EngineFixture.CreateAsync(Model, []);

        async Task<AuthorizationErrorCode> Code(Func<Task> query) => (await Assert.ThrowsAsync<AuthorizationException>(query)).Code;

        Assert.Equal(AuthorizationErrorCode.TypeNotFound, await Code(async () => await engine.ListObjectsAsync(new ListObjectsRequest("folder", "viewer", "user:anne"), Ct)));
        Assert.Equal(AuthorizationErrorCode.RelationNotFound, await Code(async () => await engine.ListObjectsAsync(new ListObjectsRequest("document", "editor", "user:anne"), Ct)));
        Assert.Equal(AuthorizationErrorCode.ValidationError, await Code(async () => await engine.ListObjectsAsync(new ListObjectsRequest("document", "viewer", "folder:x"), Ct)));
        Assert.Equal(AuthorizationErrorCode.TypeNotFound, await Code(async () => await engine.ListUsersAsync(new ListUsersRequest("document:1", "viewer", [new UserTypeFilter("folder")]), Ct)));
        Assert.Equal(AuthorizationErrorCode.RelationNotFound, await Code(async () => await engine.ListUsersAsync(new ListUsersRequest("document:1", "viewer", [new UserTypeFilter("group", "owner")]), Ct)));
    }

    [Fact]
    public async Task Expand_ReturnsOneLevelOfTheRewriteWithItsTuples()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var tree = await engine.ExpandAsync("document:1", "viewer", cancellationToken: Ct);

        var difference = Assert.IsType<ExpandDifference>(tree);
        Assert.Equal("document:1#viewer", difference.Name);
        var union = Assert.IsType<ExpandUnion>(difference.Base);
        Assert.Equal(["group:eng#member"], Assert.IsType<ExpandUsers>(union.Nodes[0]).Users);
        Assert.Equal("document:1#owner", Assert.IsType<ExpandComputed>(union.Nodes[1]).Userset);
        Assert.Equal("document:1#blocked", Assert.IsType<ExpandComputed>(difference.Subtract).Userset);
    }
}
