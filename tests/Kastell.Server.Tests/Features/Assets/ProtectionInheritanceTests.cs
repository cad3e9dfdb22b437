using Kastell.Server.Features.Assets.Inheritance;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>
/// The maximum principle along dependencies on its own: chains, diamonds, overrides (the distribution effect) and
/// what passes on below them, ties, goals kept apart, and cycles — found when a dependency would close one, and
/// harmless to the computation should one exist.
/// </summary>
public sealed class ProtectionInheritanceTests
{
    private const ProtectionLevel N = ProtectionLevel.Normal;
    private const ProtectionLevel H = ProtectionLevel.High;
    private const ProtectionLevel V = ProtectionLevel.VeryHigh;

    private static readonly Guid App = Id(1), Server = Id(2), Rack = Id(3), Room = Id(4), Db = Id(5), Other = Id(6);

    [Fact]
    public void AChain_PassesTheNeedAllTheWayDown_NamingTheNextAssetUp()
    {
        var needs = ProtectionInheritance.Compute(
            [Asset(App, V, N, H), Asset(Server, N, H, N), Asset(Rack, N, N, N)],
            [(App, Server), (Server, Rack)]);

        Assert.Equal(new EffectiveNeed(V, NeedSource.Own), needs[App][0]);
        Assert.Equal(new EffectiveNeed(V, NeedSource.Inherited, App), needs[Server][0]);
        Assert.Equal(new EffectiveNeed(V, NeedSource.Inherited, Server), needs[Rack][0]);
        // Integrity: the server's own high is more than the application's normal, and passes on.
        Assert.Equal(new EffectiveNeed(H, NeedSource.Own), needs[Server][1]);
        Assert.Equal(new EffectiveNeed(H, NeedSource.Inherited, Server), needs[Rack][1]);
        // Availability: the application's high.
        Assert.Equal(new EffectiveNeed(H, NeedSource.Inherited, Server), needs[Rack][2]);
    }

    [Fact]
    public void ADiamond_TakesTheMaximumOfBothPaths_PerGoal()
    {
        // App and Db both run on Server and on Rack; Server and Db both sit in Room.
        var needs = ProtectionInheritance.Compute(
            [Asset(App, H, N, V), Asset(Db, V, H, N), Asset(Server, N, N, N), Asset(Room, N, N, N)],
            [(App, Server), (Db, Server), (Server, Room), (Db, Room)]);

        Assert.Equal(new EffectiveNeed(V, NeedSource.Inherited, Db), needs[Server][0]);
        Assert.Equal(new EffectiveNeed(H, NeedSource.Inherited, Db), needs[Server][1]);
        Assert.Equal(new EffectiveNeed(V, NeedSource.Inherited, App), needs[Server][2]);
        Assert.Equal(V, needs[Room][0].Level);
        Assert.Equal(H, needs[Room][1].Level);
        Assert.Equal(new EffectiveNeed(V, NeedSource.Inherited, Server), needs[Room][2]);
    }

    [Fact]
    public void AnOwnNeedEqualToTheInheritedOne_StaysItsOwn()
    {
        var needs = ProtectionInheritance.Compute([Asset(App, H, H, H), Asset(Server, H, N, N)], [(App, Server)]);

        Assert.Equal(new EffectiveNeed(H, NeedSource.Own), needs[Server][0]);
        Assert.Equal(new EffectiveNeed(H, NeedSource.Inherited, App), needs[Server][1]);
    }

    [Fact]
    public void AnOverride_ReplacesTheInheritedNeed_AndIsWhatPassesOnBelowIt()
    {
        // The distribution effect: the application runs on two servers, each needs only high availability.
        var needs = ProtectionInheritance.Compute(
            [Asset(App, N, N, V), Asset(Server, N, N, N, availability: H), Asset(Other, N, N, N), Asset(Rack, N, N, N)],
            [(App, Server), (App, Other), (Server, Rack)]);

        Assert.Equal(new EffectiveNeed(H, NeedSource.Override), needs[Server][2]);
        Assert.Equal(new EffectiveNeed(V, NeedSource.Inherited, App), needs[Other][2]);
        Assert.Equal(new EffectiveNeed(H, NeedSource.Inherited, Server), needs[Rack][2]);
        // The override is of one goal: the others are computed as usual.
        Assert.Equal(new EffectiveNeed(N, NeedSource.Own), needs[Server][0]);
    }

    [Fact]
    public void AnOverride_CanAlsoRaiseANeed()
    {
        var needs = ProtectionInheritance.Compute([Asset(App, N, N, N), Asset(Server, N, N, N, availability: V)], [(App, Server)]);

        Assert.Equal(new EffectiveNeed(V, NeedSource.Override), needs[Server][2]);
        Assert.Equal(new EffectiveNeed(N, NeedSource.Own), needs[App][2]);
    }

    [Fact]
    public void NeedsFlowOnlyDownward_NeverToWhatDependsOnTheAsset()
    {
        var needs = ProtectionInheritance.Compute([Asset(App, N, N, N), Asset(Server, V, V, V)], [(App, Server)]);

        Assert.All(needs[App], n => Assert.Equal(new EffectiveNeed(N, NeedSource.Own), n));
    }

    [Fact]
    public void TheOrderOfAssetsAndEdges_DoesNotChangeTheResult()
    {
        AssetNeeds[] assets = [Asset(Rack, N, N, N), Asset(Server, N, N, N), Asset(Room, N, N, N), Asset(App, V, H, N), Asset(Db, H, V, H)];
        (Guid, Guid)[] edges = [(Server, Rack), (Rack, Room), (App, Server), (Db, Rack)];
        var forward = ProtectionInheritance.Compute(assets, edges);
        var backward = ProtectionInheritance.Compute([.. assets.Reverse()], [.. edges.Reverse()]);

        foreach (var id in new[] { Rack, Server, Room, App, Db })
        {
            Assert.Equal(forward[id], backward[id]);
        }

        Assert.Equal([V, V, H], forward[Room].Select(n => n.Level));
    }

    [Fact]
    public void ACycleInTheData_StillEnds_AtTheMaximumOfTheCycle()
    {
        var needs = ProtectionInheritance.Compute(
            [Asset(App, V, N, N), Asset(Server, N, H, N), Asset(Rack, N, N, N)],
            [(App, Server), (Server, Rack), (Rack, App)]);

        Assert.All([App, Server, Rack], id => Assert.Equal(V, needs[id][0].Level));
        Assert.All([App, Server, Rack], id => Assert.Equal(H, needs[id][1].Level));
        Assert.All([App, Server, Rack], id => Assert.Equal(N, needs[id][2].Level));
    }

    [Fact]
    public void EdgesToUnknownAssetsAndToItself_AreIgnored()
    {
        var needs = ProtectionInheritance.Compute([Asset(App, V, N, N), Asset(Server, N, N, N)], [(App, Other), (App, App), (Other, Server)]);

        Assert.Equal(new EffectiveNeed(N, NeedSource.Own), needs[Server][0]);
    }

    [Fact]
    public void CycleThrough_FindsTheClosingPath_AndNothingWhereNoneCloses()
    {
        (Guid, Guid)[] edges = [(App, Server), (Server, Rack), (Rack, Room), (Db, Rack)];

        Assert.Equal([App, Server, Rack, Room], ProtectionInheritance.CycleThrough(edges, Room, App));
        Assert.Equal([Server, Rack], ProtectionInheritance.CycleThrough(edges, Rack, Server));
        Assert.Equal([App], ProtectionInheritance.CycleThrough(edges, App, App));
        Assert.Null(ProtectionInheritance.CycleThrough(edges, App, Db)); // a diamond is no cycle
        Assert.Null(ProtectionInheritance.CycleThrough(edges, Db, Server));
        Assert.Null(ProtectionInheritance.CycleThrough(edges, Room, Other));
        Assert.Null(ProtectionInheritance.CycleThrough([], App, Server));
    }

    private static AssetNeeds Asset(Guid id, ProtectionLevel c, ProtectionLevel i, ProtectionLevel a, ProtectionLevel? availability = null) =>
        new(id, [c, i, a], [null, null, availability]);

    private static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:D12}");
}
