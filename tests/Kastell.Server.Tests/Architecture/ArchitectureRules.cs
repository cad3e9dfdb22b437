using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Architecture;

/// <summary>
/// The feature contract's rules, checked by reflection over an assembly's types below a root namespace:
/// <c>&lt;root&gt;.Platform</c> (and the page shell, <c>&lt;root&gt;.Components</c>) never uses <c>&lt;root&gt;.Features</c>;
/// features do not depend on each other in a cycle; and a feature never writes another feature's tables — it calls
/// that feature's command instead. Each method returns one line per violation.
/// </summary>
internal sealed class ArchitectureRules(Assembly assembly, string root)
{
    private static readonly HashSet<string> SetWrites = ["Add", "AddAsync", "AddRange", "AddRangeAsync", "Attach", "AttachRange", "Remove", "RemoveRange", "Update", "UpdateRange"];
    private static readonly HashSet<string> BulkWrites = ["ExecuteDelete", "ExecuteDeleteAsync", "ExecuteUpdate", "ExecuteUpdateAsync"];

    private readonly Type[] _types = [.. assembly.GetTypes().Where(t => t.Namespace?.StartsWith(root + ".", StringComparison.Ordinal) == true && !IsNested(t))];

    /// <summary>The feature a type belongs to (<c>&lt;root&gt;.Features.&lt;Feature&gt;…</c>), or null.</summary>
    public string? FeatureOf(Type type)
    {
        var prefix = root + ".Features.";
        var ns = type.Namespace;
        return ns?.StartsWith(prefix, StringComparison.Ordinal) == true ? ns[prefix.Length..].Split('.')[0] : null;
    }

    private bool IsPlatform(Type type) =>
        type.Namespace is { } ns && (ns == root + ".Platform" || ns.StartsWith(root + ".Platform.", StringComparison.Ordinal)
                                     || ns == root + ".Components" || ns.StartsWith(root + ".Components.", StringComparison.Ordinal));

    public IEnumerable<string> PlatformUsesOfFeatures() =>
        from type in _types
        where IsPlatform(type)
        from used in TypeReferences.Of(type)
        where FeatureOf(used) is not null
        select $"{type.FullName} uses {used.FullName}";

    /// <summary>Which features each feature uses.</summary>
    public Dictionary<string, HashSet<string>> FeatureDependencies()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in _types)
        {
            if (FeatureOf(type) is not { } feature)
            {
                continue;
            }

            var uses = graph.TryGetValue(feature, out var set) ? set : graph[feature] = [];
            foreach (var used in TypeReferences.Of(type))
            {
                if (FeatureOf(used) is { } other && other != feature)
                {
                    uses.Add(other);
                }
            }
        }

        return graph;
    }

    public IEnumerable<string> FeatureCycles()
    {
        var graph = FeatureDependencies();
        var reported = new HashSet<string>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var cycle in CyclesFrom(start, [start], graph))
            {
                var key = string.Join(",", cycle.Order(StringComparer.Ordinal));
                if (reported.Add(key))
                {
                    yield return string.Join(" → ", cycle.Append(cycle[0]));
                }
            }
        }
    }

    private static IEnumerable<List<string>> CyclesFrom(string start, List<string> path, Dictionary<string, HashSet<string>> graph)
    {
        foreach (var next in graph.GetValueOrDefault(path[^1]) ?? [])
        {
            if (next == start)
            {
                yield return [.. path];
            }
            else if (!path.Contains(next))
            {
                foreach (var cycle in CyclesFrom(start, [.. path, next], graph))
                {
                    yield return cycle;
                }
            }
        }
    }

    /// <summary>The entity types with a configuration in the assembly, and the feature that owns each (null: the platform's).</summary>
    public Dictionary<Type, string?> Tables() =>
        assembly.GetTypes()
            .SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>))
            .Select(i => i.GetGenericArguments()[0])
            .Where(e => e.Namespace?.StartsWith(root + ".", StringComparison.Ordinal) == true)
            .Distinct()
            .ToDictionary(e => e, FeatureOf);

    public IEnumerable<string> ForeignTableWrites()
    {
        var tables = Tables();
        foreach (var type in _types)
        {
            if (FeatureOf(type) is not { } feature)
            {
                continue;
            }

            foreach (var use in TypeReferences.UsesOf(type))
            {
                if (WrittenTable(use.Member, tables) is { } table && tables[table] is { } owner && owner != feature)
                {
                    yield return $"{type.FullName} writes {table.Name} of the feature {owner} ({use.Member!.DeclaringType?.Name}.{use.Member.Name})";
                }
            }
        }
    }

    /// <summary>The entity a member use writes: a new row, a property set on one, a set's Add/Remove/…, a bulk update or delete.</summary>
    private static Type? WrittenTable(MemberInfo? member, Dictionary<Type, string?> tables) => member switch
    {
        ConstructorInfo c when c.DeclaringType is { } t && tables.ContainsKey(t) => t,
        MethodInfo { IsSpecialName: true } m when m.Name.StartsWith("set_", StringComparison.Ordinal) && m.DeclaringType is { } t && tables.ContainsKey(t) => t,
        MethodInfo m when SetWrites.Contains(m.Name) && m.DeclaringType is { IsGenericType: true } set
                          && set.GetGenericTypeDefinition() == typeof(DbSet<>) && tables.ContainsKey(set.GetGenericArguments()[0]) => set.GetGenericArguments()[0],
        MethodInfo m when (SetWrites.Contains(m.Name) && m.DeclaringType == typeof(DbContext) || BulkWrites.Contains(m.Name))
                          && m.IsGenericMethod && m.GetGenericArguments()[0] is var entity && tables.ContainsKey(entity) => entity,
        _ => null,
    };

    private static bool IsNested(Type type) => type.IsNested;
}
