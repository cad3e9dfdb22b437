namespace Kastell.Authorization.Benchmarks.Graph;

/// <summary>Picks the same number of checks of every <see cref="CheckKind"/> and shuffles them into one workload.</summary>
internal sealed class CheckCaseSampler(GraphShape shape, Random random, IReadOnlyList<OrganizationFacts> organizations, IReadOnlyList<AssetFacts> assets)
{
    public IReadOnlyList<CheckCase> Sample()
    {
        var cases = new List<CheckCase>();
        foreach (var kind in Enum.GetValues<CheckKind>())
        {
            for (var i = 0; i < shape.ChecksPerKind; i++)
            {
                cases.Add(Make(kind));
            }
        }

        return [.. cases.OrderBy(_ => random.Next())];
    }

    private CheckCase Make(CheckKind kind)
    {
        switch (kind)
        {
            case CheckKind.Direct:
            {
                var asset = PickAsset(_ => true);
                return new CheckCase(kind, asset.Asset, "can_view", asset.Owner, true);
            }
            case CheckKind.ViaGroup:
            {
                var asset = PickAsset(a => a.EditorGroup is not null);
                var members = organizations[asset.Organization].GroupMembers[asset.EditorGroup!.Value].Where(u => u != asset.Blocked).ToList();
                return new CheckCase(kind, asset.Asset, "can_edit", members[random.Next(members.Count)], true);
            }
            case CheckKind.ViaSpaceOrganization:
            {
                var asset = PickAsset(_ => true);
                var member = DirectMember(asset.Organization, except: asset.Blocked);
                return new CheckCase(kind, asset.FirstEvidence, "can_view", member, true);
            }
            case CheckKind.NestedTeams:
            {
                var o = random.Next(organizations.Count);
                var space = 2 * random.Next((shape.SpacesPerOrganization + 1) / 2); // even spaces are team-owned
                var users = organizations[o].DeepestTeamUsers;
                return new CheckCase(kind, $"space:s{o}_{space}", "can_edit", users[random.Next(users.Count)], true);
            }
            case CheckKind.DeniedForeignUser:
            {
                var asset = PickAsset(_ => true);
                var foreign = (asset.Organization + 1 + random.Next(organizations.Count - 1)) % organizations.Count;
                var user = KastellGraphGenerator.User(foreign, random.Next(shape.UsersPerOrganization));
                return new CheckCase(kind, asset.FirstEvidence, "can_view", user, false);
            }
            case CheckKind.DeniedBlocked:
            {
                var asset = PickAsset(a => a.Blocked is not null);
                return new CheckCase(kind, asset.Asset, "can_view", asset.Blocked!, false);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private AssetFacts PickAsset(Func<AssetFacts, bool> predicate)
    {
        while (true)
        {
            var asset = assets[random.Next(assets.Count)];
            if (predicate(asset))
            {
                return asset;
            }
        }
    }

    private string DirectMember(int o, string? except)
    {
        while (true)
        {
            var user = KastellGraphGenerator.User(o, shape.AdminsPerOrganization + random.Next(shape.DirectMembersPerOrganization));
            if (user != except)
            {
                return user;
            }
        }
    }
}
