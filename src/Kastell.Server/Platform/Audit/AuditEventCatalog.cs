using System.Collections.Frozen;
using System.Reflection;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Every event type the areas define, found once by reflection over the classes marked
/// <see cref="AuditEventBlockAttribute"/>. Start-up fails (the first time anything reads an event's name) when two
/// fields share a number, a class's block is not one of <see cref="AuditEventBlocks.All"/>, or an event lies outside
/// its class's block — a mistake that would otherwise mix two areas' records in the chain for good.
/// </summary>
public static class AuditEventCatalog
{
    private static readonly Lazy<FrozenDictionary<int, AuditEventInfo>> Events = new(() => Build(typeof(AuditEventCatalog).Assembly));

    /// <summary>Every defined event type, by number.</summary>
    public static IEnumerable<AuditEventType> All => Events.Value.Keys.Order().Select(v => new AuditEventType(v));

    /// <summary>The event types that can be recorded in <paramref name="chain"/> (an organization's or the system's), by number.</summary>
    public static IEnumerable<AuditEventType> In(AuditChains chain) => All.Where(t => CanOccurIn(t, chain));

    public static bool CanOccurIn(AuditEventType type, AuditChains chain) =>
        Events.Value.TryGetValue(type.Value, out var info) && (info.Chains & chain) != 0;

    /// <summary>Whether the organizations of the event's account get a copy (<see cref="MemberSecurityEventAttribute"/>).</summary>
    public static bool IsMemberSecurityEvent(AuditEventType type) =>
        Events.Value.TryGetValue(type.Value, out var info) && info.CopiedToMemberOrganizations;

    public static string? NameOf(AuditEventType type) => Events.Value.GetValueOrDefault(type.Value)?.Name;

    /// <summary>The event type with this name (case-sensitive), or null.</summary>
    public static AuditEventType? Parse(string name) =>
        Events.Value.FirstOrDefault(n => string.Equals(n.Value.Name, name, StringComparison.Ordinal)) is { Value: not null } found
            ? new AuditEventType(found.Key)
            : null;

    internal static FrozenDictionary<int, AuditEventInfo> Build(Assembly assembly)
    {
        var names = new Dictionary<int, string>();
        var events = new Dictionary<int, AuditEventInfo>();
        foreach (var type in assembly.GetTypes())
        {
            var blocks = type.GetCustomAttributes<AuditEventBlockAttribute>().ToList();
            if (blocks.Count == 0)
            {
                continue;
            }

            foreach (var block in blocks.Where(b => !AuditEventBlocks.All.Any(r => r.First == b.First && r.Last == b.Last)))
            {
                throw new InvalidOperationException($"{type.Name} uses audit event block {block.First}–{block.Last}, which AuditEventBlocks does not list.");
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(AuditEventType)))
            {
                var value = (AuditEventType)field.GetValue(null)!;
                if (!blocks.Any(b => b.Contains(value)))
                {
                    throw new InvalidOperationException($"{type.Name}.{field.Name} = {value.Value} lies outside its class's audit event block.");
                }

                if (!names.TryAdd(value.Value, field.Name))
                {
                    throw new InvalidOperationException($"Audit event number {value.Value} is defined twice: {names[value.Value]} and {type.Name}.{field.Name}.");
                }

                var copied = field.GetCustomAttribute<MemberSecurityEventAttribute>() is not null;
                var chains = field.GetCustomAttribute<RecordedInAttribute>()?.Chains
                    ?? type.GetCustomAttribute<RecordedInAttribute>()?.Chains
                    ?? AuditChains.Organization;
                events[value.Value] = new AuditEventInfo(field.Name, copied ? chains | AuditChains.Both : chains, copied);
            }
        }

        if (names.Values.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            // The name is what exports and the SIEM feed carry: two numbers with one name could not be told apart.
            throw new InvalidOperationException($"Two audit events are named {twice.Key}.");
        }

        return events.ToFrozenDictionary();
    }
}

/// <summary>What the catalog knows of one event type: its name, where it can be recorded, whether members' organizations get a copy.</summary>
internal sealed record AuditEventInfo(string Name, AuditChains Chains, bool CopiedToMemberOrganizations);
