using Kastell.Authorization.Conditions;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// Explain: every way a user holds a relation, each proof resting on stored tuples. The conformance suites check the
/// decision and that every allow has a proof (AssertionRunner runs Explain beside each Check); these tests check the
/// proofs themselves.
/// </summary>
public sealed class ExplainTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type team
          relations
            define member: [user, team#member]
        type organization
          relations
            define owner: [user]
            define admin: [user, team#member]
            define member: [user, team#member] or owner or admin
        type space
          relations
            define organization: [organization]
            define blocked: [user]
            define manager: [user, team#member] or admin from organization
            define editor: [user, user:*, team#member] or manager
            define can_edit: (editor and member from organization) but not blocked
        """;

    private static readonly string[] Tuples =
    [
        "organization:acme#owner@user:anne",
        "organization:acme#admin@user:adam",
        "organization:acme#member@user:tina",
        "organization:acme#member@user:lena",
        "team:ops#member@user:tina",
        "team:ops#member@team:leads#member",
        "team:leads#member@user:lena",
        "space:hq#organization@organization:acme",
        "space:hq#editor@team:ops#member",
        "space:hq#editor@user:tina",
        "space:hq#blocked@user:lena",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryPath_IsAProof_NotJustTheFirstOneCheckFinds()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var result = await engine.ExplainAsync(new CheckRequest("space:hq", "editor", "user:tina"), Ct);

        Assert.True(result.Allowed);
        Assert.False(result.Truncated);
        Assert.Equal(
            ["space:hq#editor@team:ops#member <- team:ops#member@user:tina", "space:hq#editor@user:tina"],
            result.Proofs.Select(p => p.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NestedTeams_And_TupleToUserset_ShowTheirChain()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var lena = await engine.ExplainAsync(new CheckRequest("space:hq", "editor", "user:lena"), Ct);
        var adam = await engine.ExplainAsync(new CheckRequest("space:hq", "editor", "user:adam"), Ct);

        var viaTeams = Assert.IsType<UsersetProof>(Assert.Single(lena.Proofs));
        Assert.Equal(["space:hq#editor@team:ops#member", "team:ops#member@team:leads#member", "team:leads#member@user:lena"], viaTeams.Tuples.Select(t => t.ToString()));
        var viaOrganization = Assert.IsType<ComputedProof>(Assert.Single(adam.Proofs));
        Assert.Equal("manager", viaOrganization.Relation);
        var link = Assert.IsType<LinkProof>(viaOrganization.Source);
        Assert.Equal("space:hq#organization@organization:acme", link.Tuple.ToString());
        Assert.Equal("admin", link.Relation);
        Assert.Equal("organization:acme#admin@user:adam", Assert.IsType<TupleProof>(link.Source).Tuple.ToString());
    }

    [Fact]
    public async Task AnIntersection_CombinesItsOperands_AndAnExclusionNamesWhatDidNotHold()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var tina = await engine.ExplainAsync(new CheckRequest("space:hq", "can_edit", "user:tina"), Ct);
        var lena = await engine.ExplainAsync(new CheckRequest("space:hq", "can_edit", "user:lena"), Ct);

        // Two ways to be editor, one way to be a member of the organization: two combinations.
        Assert.Equal(2, tina.Proofs.Count);
        Assert.All(tina.Proofs, p =>
        {
            var except = Assert.IsType<ExceptProof>(p);
            Assert.Equal("space:hq#blocked", except.Excluded);
            var all = Assert.IsType<AllProof>(except.Base);
            Assert.Equal(2, all.Operands.Count);
            Assert.Contains(all.Tuples, t => t.ToString() == "organization:acme#member@user:tina");
        });
        Assert.False(lena.Allowed); // editor through the teams and a member, but blocked
        Assert.Empty(lena.Proofs);
    }

    [Fact]
    public async Task ADenial_HasNoProof_AndAWildcardGrantIsOne()
    {
        var engine = await EngineFixture.CreateAsync(Model, [.. Tuples, "space:lab#editor@user:*"]);

        var denied = await engine.ExplainAsync(new CheckRequest("space:hq", "manager", "user:tina"), Ct);
        var everyone = await engine.ExplainAsync(new CheckRequest("space:lab", "editor", "user:zoe"), Ct);

        Assert.False(denied.Allowed);
        Assert.Empty(denied.Proofs);
        Assert.Equal("space:lab#editor@user:*", Assert.IsType<TupleProof>(Assert.Single(everyone.Proofs)).Tuple.ToString());
    }

    [Fact]
    public async Task ACycleOfTeams_EndsThePathThatClosesIt_AndTheOtherPathsStay()
    {
        var engine = await EngineFixture.CreateAsync(Model, [.. Tuples, "team:leads#member@team:ops#member"]);

        var tina = await engine.ExplainAsync(new CheckRequest("team:leads", "member", "user:tina"), Ct);

        Assert.True(tina.Allowed);
        Assert.Equal(["team:leads#member@team:ops#member <- team:ops#member@user:tina"], tina.Proofs.Select(p => p.ToString()));
    }

    [Fact]
    public async Task TheLimit_CutsTheProofs_AndSaysSo()
    {
        var many = Enumerable.Range(0, 30).SelectMany(i => new[] { $"team:t{i}#member@user:tina", $"space:hq#editor@team:t{i}#member" });
        var engine = await EngineFixture.CreateAsync(Model, [.. Tuples, .. many], new AuthorizationEngineOptions { ExplainMaxProofs = 5 });

        var result = await engine.ExplainAsync(new CheckRequest("space:hq", "editor", "user:tina"), Ct);

        Assert.Equal(5, result.Proofs.Count);
        Assert.True(result.Truncated);
    }

    [Fact]
    public async Task EveryTupleOfEveryProof_IsStored()
    {
        var store = new InMemoryTupleStore();
        var engine = new AuthorizationEngine(ModelParser.Parse(Model), store, new CelConditionEvaluator());
        await engine.WriteAsync([.. Tuples.Select(EngineFixture.Tuple)], cancellationToken: Ct);
        var users = new[] { "user:anne", "user:adam", "user:tina", "user:lena", "user:zoe" };
        var relations = new[] { "manager", "editor", "can_edit" };
        var proofs = 0;

        foreach (var user in users)
        {
            foreach (var relation in relations)
            {
                var result = await engine.ExplainAsync(new CheckRequest("space:hq", relation, user), Ct);
                Assert.Equal((await engine.CheckAsync(new CheckRequest("space:hq", relation, user), Ct)).Allowed, result.Allowed);
                foreach (var tuple in result.Proofs.SelectMany(p => p.Tuples))
                {
                    Assert.NotNull(await store.ReadTupleAsync(tuple.Object, tuple.Relation, tuple.User, Ct));
                }

                proofs += result.Proofs.Count;
            }
        }

        // adam: manager, editor, can_edit; tina: editor and can_edit twice each; lena: editor (blocked from can_edit).
        Assert.Equal(8, proofs);
    }

    [Fact]
    public async Task Explain_RefusesWhatCheckRefuses()
    {
        var engine = await EngineFixture.CreateAsync(Model, Tuples);

        var request = new CheckRequest("space:hq", "owner", "user:anne");

        var error = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.ExplainAsync(request, Ct));
        var checkError = await Assert.ThrowsAsync<AuthorizationException>(async () => await engine.CheckAsync(request, Ct));

        Assert.Equal(checkError.Code, error.Code);
    }
}
