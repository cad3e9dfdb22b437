using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Benchmarks.Graph;

/// <summary>
/// Builds Kastell-shaped graphs (organizations → spaces → assets → evidence, groups, nested teams, owners, editors,
/// viewers, blocked users) of a requested size, deterministically: the same size and seed give the same tuples and
/// the same checks, so both engines and every run see the same workload.
/// </summary>
public sealed class KastellGraphGenerator(GraphShape shape, int seed = 20261123)
{
    private readonly List<RelationshipTuple> _tuples = [];
    private readonly List<AssetFacts> _assets = [];
    private readonly List<OrganizationFacts> _organizations = [];

    /// <summary>Whole organizations are added until the graph holds at least <paramref name="minimumTuples"/> tuples.</summary>
    public KastellGraph Generate(int minimumTuples)
    {
        var random = new Random(seed);
        while (_tuples.Count < minimumTuples)
        {
            AddOrganization(random, _organizations.Count);
        }

        var audited = Math.Min(shape.AuditedOrganizations, _organizations.Count);
        for (var o = 0; o < audited; o++)
        {
            Add(Organization(o), "member", KastellGraph.Auditor);
        }

        var visible = _assets.Count(a => a.Organization < audited) * shape.EvidencePerAsset;
        var checks = new CheckCaseSampler(shape, new Random(seed + 1), _organizations, _assets).Sample();
        return new KastellGraph(_tuples, checks, _organizations.Count) { AuditorVisibleEvidence = visible };
    }

    private void AddOrganization(Random random, int o)
    {
        var organization = Organization(o);
        var facts = new OrganizationFacts(o);
        _organizations.Add(facts);

        for (var i = 0; i < shape.AdminsPerOrganization; i++)
        {
            Add(organization, "admin", User(o, i));
        }

        foreach (var member in DirectMemberIndexes())
        {
            Add(organization, "member", User(o, member));
        }

        AddTeams(o, facts);
        AddGroups(random, o, facts);
        Add(organization, "member", $"group:g{o}_0#member");
        Add(organization, "member", $"team:t{o}_0#member");

        for (var s = 0; s < shape.SpacesPerOrganization; s++)
        {
            AddSpace(random, o, s);
        }
    }

    private void AddTeams(int o, OrganizationFacts facts)
    {
        var user = FirstTeamUser;
        for (var t = 0; t < shape.NestedTeamDepth; t++)
        {
            for (var i = 0; i < shape.UsersPerTeam; i++, user++)
            {
                Add($"team:t{o}_{t}", "member", User(o, user));
                if (t == shape.NestedTeamDepth - 1)
                {
                    facts.DeepestTeamUsers.Add(User(o, user));
                }
            }

            if (t > 0)
            {
                Add($"team:t{o}_{t - 1}", "member", $"team:t{o}_{t}#member");
            }
        }
    }

    private void AddGroups(Random random, int o, OrganizationFacts facts)
    {
        for (var g = 0; g < shape.GroupsPerOrganization; g++)
        {
            var members = Enumerable.Range(0, shape.UsersPerOrganization).OrderBy(_ => random.Next()).Take(shape.MembersPerGroup);
            var users = members.Select(m => User(o, m)).ToList();
            facts.GroupMembers.Add(users);
            foreach (var member in users)
            {
                Add($"group:g{o}_{g}", "member", member);
            }
        }
    }

    private void AddSpace(Random random, int o, int s)
    {
        var space = $"space:s{o}_{s}";
        Add(space, "organization", Organization(o));
        // Even spaces are owned by the top of the team chain, so their owners are found through every nested team.
        Add(space, "owner", s % 2 == 0 ? $"team:t{o}_0#member" : PlainUser(random, o));
        Add(space, "editor", $"group:g{o}_{s % shape.GroupsPerOrganization}#member");
        Add(space, "editor", PlainUser(random, o));
        Add(space, "viewer", PlainUser(random, o));
        Add(space, "viewer", $"group:g{o}_{(s + 1) % shape.GroupsPerOrganization}#member");

        for (var a = 0; a < shape.AssetsPerSpace; a++)
        {
            AddAsset(random, o, s, a);
        }
    }

    private void AddAsset(Random random, int o, int s, int a)
    {
        var asset = $"asset:a{o}_{s}_{a}";
        Add(asset, "space", $"space:s{o}_{s}");
        var owner = PlainUser(random, o);
        Add(asset, "owner", owner);

        int? editorGroup = null;
        if (a % 2 == 0)
        {
            editorGroup = random.Next(shape.GroupsPerOrganization);
            Add(asset, "editor", $"group:g{o}_{editorGroup}#member");
        }
        else
        {
            Add(asset, "editor", PlainUser(random, o));
        }

        if (a % 3 == 0)
        {
            Add(asset, "viewer", PlainUser(random, o));
        }

        string? blocked = null;
        if (a % shape.BlockEveryNthAsset == 0)
        {
            // A direct organization member: without the block they would see the asset through the space.
            blocked = User(o, DirectMemberIndexes().ElementAt(random.Next(shape.DirectMembersPerOrganization)));
            Add(asset, "blocked", blocked);
        }

        for (var e = 0; e < shape.EvidencePerAsset; e++)
        {
            Add($"evidence:e{o}_{s}_{a}_{e}", "asset", asset);
        }

        _assets.Add(new AssetFacts(o, asset, $"evidence:e{o}_{s}_{a}_0", owner, editorGroup, blocked));
    }

    private IEnumerable<int> DirectMemberIndexes() => Enumerable.Range(shape.AdminsPerOrganization, shape.DirectMembersPerOrganization);

    private int FirstTeamUser => shape.AdminsPerOrganization + shape.DirectMembersPerOrganization;

    /// <summary>A user who is neither admin, direct member nor team member, so direct grants are the only reason they get access.</summary>
    private string PlainUser(Random random, int o)
    {
        var first = FirstTeamUser + (shape.NestedTeamDepth * shape.UsersPerTeam);
        return User(o, random.Next(first, shape.UsersPerOrganization));
    }

    private void Add(string @object, string relation, string user) => _tuples.Add(new RelationshipTuple(@object, relation, user));

    internal static string Organization(int o) => $"organization:o{o}";

    internal static string User(int o, int i) => $"user:u{o}_{i}";
}

internal sealed record OrganizationFacts(int Index)
{
    public List<List<string>> GroupMembers { get; } = [];

    public List<string> DeepestTeamUsers { get; } = [];
}

internal sealed record AssetFacts(int Organization, string Asset, string FirstEvidence, string Owner, int? EditorGroup, string? Blocked);
