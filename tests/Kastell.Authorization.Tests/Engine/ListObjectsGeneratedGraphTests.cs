using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// ListObjects against Check on random graphs: every path the reverse expansion can take (proofs through unions,
/// evaluated exclusions and intersections that then serve as premises for tuple-to-userset dependents, refutations,
/// conditional tuples met or not, wildcards, nested and cyclic groups and folders, contextual tuples, userset users)
/// must give exactly the objects whose Check is true.
/// </summary>
public sealed class ListObjectsGeneratedGraphTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type group
          relations
            define member: [user, user:*, group#member, user with in_office]
        type folder
          relations
            define parent: [folder]
            define owner: [user, group#member]
            define viewer: [user, group#member, user with in_office] or owner or viewer from parent
        type document
          relations
            define parent: [folder]
            define owner: [user]
            define blocked: [user, group#member, user with in_office]
            define approved: [user, user with in_office]
            define viewer: [user, user:*, group#member] or owner or viewer from parent
            define can_read: viewer but not blocked
            define can_approve: (owner or viewer from parent) and approved
            define can_share: can_read and can_approve
        type report
          relations
            define document: [document, document with in_office]
            define can_read: can_read from document
            define audit: can_approve from document or can_share from document
        condition in_office(ip: ipaddress) {
          ip.in_cidr("10.0.0.0/8")
        }
        """;

    private const int Users = 5;
    private const int Groups = 4;
    private const int Folders = 7;
    private const int Documents = 10;
    private const int Reports = 10;

    private static readonly (string Type, string Relation, int Count)[] Targets =
    [
        ("group", "member", Groups),
        ("folder", "viewer", Folders),
        ("document", "viewer", Documents),
        ("document", "can_read", Documents),
        ("document", "can_approve", Documents),
        ("document", "can_share", Documents),
        ("report", "can_read", Reports),
        ("report", "audit", Reports),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(0, 24)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task ListObjects_EqualsTheObjectsCheckAllows_OnRandomGraphs(int seed)
    {
        var random = new Random(seed);
        var tuples = Generate(random);
        // Every third graph sends a few of its tuples as contextual tuples instead of storing them.
        var contextual = seed % 3 == 0 ? tuples.Where((_, i) => i % 5 == 0).ToList() : [];
        var engine = await EngineFixture.CreateAsync(Model, []);
        await engine.WriteAsync([.. tuples.Except(contextual)], cancellationToken: Ct);

        string[] users = [.. Enumerable.Range(0, Users).Select(i => $"user:u{i}"), "group:g0#member", "document:d0#viewer"];
        var compared = 0;
        foreach (var ip in new[] { "10.1.2.3", "192.168.1.1" })
        {
            var context = new Dictionary<string, object?> { ["ip"] = ip };
            foreach (var user in users)
            {
                foreach (var (type, relation, count) in Targets)
                {
                    var listed = (await engine.ListObjectsAsync(
                        new ListObjectsRequest(type, relation, user) { Context = context, ContextualTuples = contextual }, Ct)).Objects;
                    var allowed = new List<string>();
                    for (var i = 0; i < count; i++)
                    {
                        var @object = $"{type}:{type[0]}{i}";
                        var check = await engine.CheckAsync(new CheckRequest(@object, relation, user) { Context = context, ContextualTuples = contextual }, Ct);
                        if (check.Allowed)
                        {
                            allowed.Add(@object);
                        }
                    }

                    Assert.True(
                        allowed.Order(StringComparer.Ordinal).SequenceEqual(listed.Order(StringComparer.Ordinal)),
                        $"seed {seed}, {type}#{relation} for {user} at {ip}: Check allows [{string.Join(", ", allowed)}], ListObjects gave [{string.Join(", ", listed)}]");
                    compared += allowed.Count;
                }
            }
        }

        Assert.True(compared > 0, $"seed {seed} produced a graph where nothing is allowed: the comparison would prove nothing");
    }

    private static List<RelationshipTuple> Generate(Random random)
    {
        var tuples = new Dictionary<TupleKey, RelationshipTuple>();
        string User() => $"user:u{random.Next(Users)}";
        string Group() => $"group:g{random.Next(Groups)}";
        string Folder() => $"folder:f{random.Next(Folders)}";
        string Document() => $"document:d{random.Next(Documents)}";
        TupleCondition? Sometimes() => random.Next(4) == 0 ? new TupleCondition("in_office") : null;
        void Add(string @object, string relation, string user, TupleCondition? condition = null) =>
            tuples.TryAdd(new TupleKey(@object, relation, user), new RelationshipTuple(@object, relation, user, condition));

        for (var i = 0; i < 8; i++)
        {
            Add(Group(), "member", User(), Sometimes());
            if (random.Next(3) == 0)
            {
                Add(Group(), "member", Group() + "#member"); // nested, sometimes cyclic
            }
        }

        Add(Group(), "member", "user:*");
        for (var i = 0; i < Folders; i++)
        {
            if (random.Next(3) > 0)
            {
                Add($"folder:f{i}", "parent", Folder()); // sometimes a cycle, sometimes the folder itself
            }

            Add($"folder:f{i}", random.Next(2) == 0 ? "viewer" : "owner", random.Next(3) == 0 ? Group() + "#member" : User());
            if (random.Next(3) == 0)
            {
                Add($"folder:f{i}", "viewer", User(), new TupleCondition("in_office"));
            }
        }

        for (var i = 0; i < Documents; i++)
        {
            var document = $"document:d{i}";
            Add(document, "parent", Folder());
            switch (random.Next(4))
            {
                case 0:
                    Add(document, "viewer", User());
                    break;
                case 1:
                    Add(document, "viewer", Group() + "#member");
                    break;
                case 2:
                    Add(document, "owner", User());
                    break;
            }

            if (random.Next(10) == 0)
            {
                Add(document, "viewer", "user:*");
            }

            for (var b = random.Next(3); b > 0; b--)
            {
                if (random.Next(3) == 0)
                {
                    Add(document, "blocked", Group() + "#member");
                }
                else
                {
                    Add(document, "blocked", User(), Sometimes());
                }
            }

            for (var a = random.Next(4); a > 0; a--)
            {
                Add(document, "approved", User(), Sometimes());
            }
        }

        for (var i = 0; i < Reports; i++)
        {
            Add($"report:r{i}", "document", Document(), Sometimes());
            if (random.Next(3) == 0)
            {
                Add($"report:r{i}", "document", Document());
            }
        }

        return [.. tuples.Values];
    }
}
