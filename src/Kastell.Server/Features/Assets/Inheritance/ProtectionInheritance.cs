namespace Kastell.Server.Features.Assets.Inheritance;

/// <summary>The three protection goals BSI 200-2 assesses an asset's protection needs by.</summary>
public enum ProtectionGoal
{
    Confidentiality = 0,
    Integrity = 1,
    Availability = 2,
}

/// <summary>A protection need's category (BSI 200-2): normal, high, very high.</summary>
public enum ProtectionLevel
{
    Normal = 0,
    High = 1,
    VeryHigh = 2,
}

/// <summary>Where an asset's effective need for one goal comes from.</summary>
public enum NeedSource
{
    /// <summary>The asset's own assessment (none of what depends on it needs more).</summary>
    Own = 0,

    /// <summary>The maximum principle: something that depends on the asset needs more (<see cref="EffectiveNeed.From"/>).</summary>
    Inherited = 1,

    /// <summary>Set by hand with a justification, e.g. the distribution effect lowering an inherited need.</summary>
    Override = 2,
}

/// <summary>What the computation needs of one asset: its own level per goal, and an override per goal (null: none).</summary>
public sealed record AssetNeeds(Guid Id, IReadOnlyList<ProtectionLevel> Own, IReadOnlyList<ProtectionLevel?> Overrides);

/// <summary>An asset's effective need for one goal, and why: its own, inherited from <see cref="From"/>, or overridden.</summary>
public readonly record struct EffectiveNeed(ProtectionLevel Level, NeedSource Source, Guid? From = null);

/// <summary>
/// The maximum principle of BSI 200-2 along dependencies: when asset A depends on asset B (an application on the
/// server that hosts it), B needs at least what A needs, per goal, and so on down the chain. An override replaces an
/// asset's computed need (the distribution effect: spread over several systems, one of them needs less) and is what
/// passes on further down. Pure: no data access, so the rules are tested on their own (diamonds, chains, overrides,
/// cycles). Cycles are refused when dependencies are added; should one exist anyway the fixed point still ends,
/// since levels only rise and there are three.
/// </summary>
public static class ProtectionInheritance
{
    public const int Goals = 3;

    /// <summary>The effective needs of every asset, per goal (indexed by <see cref="ProtectionGoal"/>).</summary>
    /// <param name="edges">(dependent, dependency): the dependent depends on the dependency. Edges naming unknown assets are ignored.</param>
    public static IReadOnlyDictionary<Guid, EffectiveNeed[]> Compute(IReadOnlyCollection<AssetNeeds> assets, IEnumerable<(Guid Dependent, Guid Dependency)> edges)
    {
        var result = new Dictionary<Guid, EffectiveNeed[]>(assets.Count);
        var byId = new Dictionary<Guid, AssetNeeds>(assets.Count);
        foreach (var asset in assets)
        {
            byId[asset.Id] = asset;
            var needs = new EffectiveNeed[Goals];
            for (var goal = 0; goal < Goals; goal++)
            {
                needs[goal] = asset.Overrides[goal] is { } fixedLevel
                    ? new EffectiveNeed(fixedLevel, NeedSource.Override)
                    : new EffectiveNeed(asset.Own[goal], NeedSource.Own);
            }

            result[asset.Id] = needs;
        }

        // dependency -> the assets that depend on it, in a stable order so the reason named is the same every time.
        var dependents = new Dictionary<Guid, List<Guid>>();
        var dependencies = new Dictionary<Guid, List<Guid>>();
        foreach (var (dependent, dependency) in edges)
        {
            if (dependent == dependency || !byId.ContainsKey(dependent) || !byId.ContainsKey(dependency))
            {
                continue;
            }

            Add(dependents, dependency, dependent);
            Add(dependencies, dependent, dependency);
        }

        foreach (var list in dependents.Values)
        {
            list.Sort();
        }

        // A worklist fixed point: when an asset's need rises, what it depends on is looked at again.
        var pending = new Queue<Guid>(dependents.Keys.Order());
        var queued = new HashSet<Guid>(pending);
        while (pending.TryDequeue(out var id))
        {
            queued.Remove(id);
            var needs = result[id];
            var asset = byId[id];
            var changed = false;
            for (var goal = 0; goal < Goals; goal++)
            {
                if (asset.Overrides[goal] is not null)
                {
                    continue;
                }

                var best = new EffectiveNeed(asset.Own[goal], NeedSource.Own);
                foreach (var dependent in dependents[id])
                {
                    var level = result[dependent][goal].Level;
                    if (level > best.Level)
                    {
                        best = new EffectiveNeed(level, NeedSource.Inherited, dependent);
                    }
                }

                if (best != needs[goal])
                {
                    needs[goal] = best;
                    changed = true;
                }
            }

            if (changed && dependencies.TryGetValue(id, out var below))
            {
                foreach (var next in below)
                {
                    if (dependents.ContainsKey(next) && queued.Add(next))
                    {
                        pending.Enqueue(next);
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The path that adding "<paramref name="dependent"/> depends on <paramref name="dependency"/>" would close into a
    /// cycle (from <paramref name="dependency"/> along existing dependencies back to <paramref name="dependent"/>,
    /// both included), or null when it closes none. Depending on itself is the shortest cycle.
    /// </summary>
    public static IReadOnlyList<Guid>? CycleThrough(IEnumerable<(Guid Dependent, Guid Dependency)> edges, Guid dependent, Guid dependency)
    {
        if (dependent == dependency)
        {
            return [dependent];
        }

        var dependencies = new Dictionary<Guid, List<Guid>>();
        foreach (var (from, to) in edges)
        {
            Add(dependencies, from, to);
        }

        // Breadth first from the new dependency: reaching the dependent means the new edge closes a cycle.
        var previous = new Dictionary<Guid, Guid> { [dependency] = dependency };
        var queue = new Queue<Guid>([dependency]);
        while (queue.TryDequeue(out var id))
        {
            if (id == dependent)
            {
                var path = new List<Guid> { id };
                while (path[^1] != dependency)
                {
                    path.Add(previous[path[^1]]);
                }

                path.Reverse();
                return path;
            }

            if (dependencies.TryGetValue(id, out var next))
            {
                foreach (var to in next)
                {
                    if (previous.TryAdd(to, id))
                    {
                        queue.Enqueue(to);
                    }
                }
            }
        }

        return null;
    }

    private static void Add(Dictionary<Guid, List<Guid>> map, Guid key, Guid value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
