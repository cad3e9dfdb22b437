using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// ListObjects proves most results during its reverse expansion instead of running Check on each. These cases mix the
/// paths that can prove (tuple-to-userset under a union, the rest of an exclusion inside an intersection), refute
/// (excluded, not approved) or must leave the answer to Check (a conditional tuple), and demand that ListObjects
/// returns exactly the objects Check allows.
/// </summary>
public sealed class ListObjectsProofTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type folder
          relations
            define viewer: [user, user with in_office]
        type document
          relations
            define parent: [folder]
            define approved: [user]
            define blocked: [user]
            define viewer: (viewer from parent but not blocked) and approved
            define reader: viewer or viewer from parent
        condition in_office(ip: ipaddress) {
          ip.in_cidr("10.0.0.0/8")
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<AuthorizationEngine> CreateAsync()
    {
        var engine = await EngineFixture.CreateAsync(Model, [
            "folder:plain#viewer@user:anne",
            "document:1#parent@folder:plain", "document:1#approved@user:anne",
            "document:2#parent@folder:plain", "document:2#approved@user:anne", "document:2#blocked@user:anne",
            "document:3#parent@folder:plain",
            "document:4#parent@folder:office", "document:4#approved@user:anne",
            "document:5#parent@folder:plain", "document:5#parent@folder:office", "document:5#approved@user:anne",
        ]);
        await engine.WriteAsync([new RelationshipTuple("folder:office", "viewer", "user:anne", new TupleCondition("in_office", null))], cancellationToken: Ct);
        return engine;
    }

    [Theory]
    [InlineData("viewer", "192.168.0.1", new[] { "document:1", "document:5" })]
    [InlineData("viewer", "10.1.2.3", new[] { "document:1", "document:4", "document:5" })]
    [InlineData("reader", "192.168.0.1", new[] { "document:1", "document:2", "document:3", "document:5" })]
    [InlineData("reader", "10.1.2.3", new[] { "document:1", "document:2", "document:3", "document:4", "document:5" })]
    public async Task ListObjects_ReturnsExactlyWhatCheckAllows(string relation, string ip, string[] expected)
    {
        var engine = await CreateAsync();
        var context = new Dictionary<string, object?> { ["ip"] = ip };

        var listed = (await engine.ListObjectsAsync(new ListObjectsRequest("document", relation, "user:anne") { Context = context }, Ct)).Objects;

        Assert.Equal(expected, listed.Order(StringComparer.Ordinal));
        foreach (var document in Enumerable.Range(1, 5).Select(i => $"document:{i}"))
        {
            var allowed = (await engine.CheckAsync(new CheckRequest(document, relation, "user:anne") { Context = context }, Ct)).Allowed;
            Assert.Equal(allowed, listed.Contains(document));
        }
    }

    /// <summary>
    /// f holds through an intersection whose other operand sits 13 dispatches deep, and g12 twelve more above f: Check
    /// of g12 runs past the depth limit (25). ListObjects must not list the document on a shortcut proof that hides that.
    /// </summary>
    [Fact]
    public async Task ListObjects_DoesNotListWhatCheckRefusesForDepth_BehindAnEvaluatedIntersection()
    {
        var relations = new List<string> { "define a0: [user]" };
        relations.AddRange(Enumerable.Range(1, 12).Select(i => $"define a{i}: a{i - 1}"));
        relations.Add("define f: [user] and a12");
        relations.Add("define g0: f");
        relations.AddRange(Enumerable.Range(1, 12).Select(i => $"define g{i}: g{i - 1}"));
        var model = "model\n  schema 1.1\ntype user\ntype doc\n  relations\n" + string.Join('\n', relations.Select(r => "    " + r)) + "\n";
        var engine = await EngineFixture.CreateAsync(model, ["doc:1#a0@user:anne", "doc:1#f@user:anne"]);

        var check = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(new CheckRequest("doc:1", "g12", "user:anne"), Ct));
        Assert.Equal(AuthorizationErrorCode.AuthorizationModelResolutionTooComplex, check.Code);

        IReadOnlyCollection<string> listed;
        try
        {
            listed = (await engine.ListObjectsAsync(new ListObjectsRequest("doc", "g12", "user:anne"), Ct)).Objects;
        }
        catch (AuthorizationException e) when (e.Code == AuthorizationErrorCode.AuthorizationModelResolutionTooComplex)
        {
            return; // refusing the whole request for depth, as OpenFGA may, is consistent with Check (any other error is not)
        }

        Assert.DoesNotContain("doc:1", listed);
    }

    /// <summary>
    /// Proven facts carry their depth slack, and facts proven by evaluating an exclusion or an intersection are premises
    /// for what depends on them: along chains of computed relations above the user's tuple and above evaluated facts,
    /// ListObjects lists the document exactly as far up as Check stays within the depth limit (25), whichever depth
    /// the intersection's other operand needs.
    /// </summary>
    [Fact]
    public async Task ListObjects_AgreesWithCheck_AtEveryHeightAboveEvaluatedExclusionsAndIntersections()
    {
        const int Chain = 26;
        var relations = new List<string> { "define blocked: [user]", "define but: [user] but not blocked", "define a0: [user]" };
        relations.AddRange(Enumerable.Range(1, Chain).Select(i => $"define a{i}: a{i - 1}"));
        relations.Add("define and3: [user] and a3");
        relations.Add("define and8: [user] and a8");
        foreach (var root in new[] { "but", "and3", "and8" })
        {
            relations.Add($"define {root}_0: {root}");
            relations.AddRange(Enumerable.Range(1, Chain).Select(i => $"define {root}_{i}: {root}_{i - 1}"));
        }

        var model = "model\n  schema 1.1\ntype user\ntype doc\n  relations\n" + string.Join('\n', relations.Select(r => "    " + r)) + "\n";
        var engine = await EngineFixture.CreateAsync(model, ["doc:1#but@user:anne", "doc:1#a0@user:anne", "doc:1#and3@user:anne", "doc:1#and8@user:anne"]);

        var allowedSomewhere = 0;
        var refusedSomewhere = 0;
        var chains = Enumerable.Range(0, Chain + 1).Select(i => $"a{i}")
            .Concat(new[] { "but", "and3", "and8" }.SelectMany(root => Enumerable.Range(0, Chain + 1).Select(i => $"{root}_{i}")));
        foreach (var relation in chains)
        {
            bool allowed;
            try
            {
                allowed = await engine.CheckAsync("doc:1", relation, "user:anne");
            }
            catch (AuthorizationException e) when (e.Code == AuthorizationErrorCode.AuthorizationModelResolutionTooComplex)
            {
                allowed = false;
            }

            IReadOnlyList<string> listed;
            try
            {
                listed = (await engine.ListObjectsAsync(new ListObjectsRequest("doc", relation, "user:anne"), Ct)).Objects;
            }
            catch (AuthorizationException e) when (!allowed && e.Code == AuthorizationErrorCode.AuthorizationModelResolutionTooComplex)
            {
                listed = []; // refusing the whole request, as OpenFGA may, is consistent with Check
            }

            Assert.True(allowed == listed.Contains("doc:1"), $"{relation}: Check {(allowed ? "allows" : "refuses")}, ListObjects gave [{string.Join(", ", listed)}]");
            allowedSomewhere += allowed ? 1 : 0;
            refusedSomewhere += allowed ? 0 : 1;
        }

        Assert.True(allowedSomewhere > 0 && refusedSomewhere > 0, "the chains must cross the depth limit for the test to mean anything");
    }
}
