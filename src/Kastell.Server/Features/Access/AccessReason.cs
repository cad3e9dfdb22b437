using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Server.Features.Access;

/// <summary>One relationship on a path: <see cref="Relation"/> of an object (<c>editor</c> of a Space), as granted to the next step or the person.</summary>
public sealed record AccessStep(string Relation, string ObjectType, Guid? ObjectId, bool Everyone = false);

/// <summary>
/// One way a person holds a permission, in reading order: <see cref="Chain"/> from the person up to the object
/// ("member of team Security → editor of Space HQ"); <see cref="Conditions"/> are the other relations the permission
/// also requires ("and member of the organization"); <see cref="Exclusions"/> what must not hold (the model's
/// <c>but not</c>).
/// </summary>
public sealed record AccessReason(IReadOnlyList<AccessStep> Chain, IReadOnlyList<IReadOnlyList<AccessStep>> Conditions, IReadOnlyList<string> Exclusions)
{
    /// <summary>
    /// The engine's proofs as reasons people read: the relationships granted to someone (a person, a team's members)
    /// form the chain; the links between objects (a Space's organization, a file's Space) and the relations computed
    /// from others are left out, since the granted relationship already names the object it was granted on. Proofs that
    /// read the same are shown once.
    /// </summary>
    public static IReadOnlyList<AccessReason> From(IEnumerable<AccessProof> proofs)
    {
        var reasons = new List<AccessReason>();
        foreach (var proof in proofs)
        {
            var chains = Chains(proof);
            var main = chains[0];
            var conditions = chains.Skip(1).Where(c => c.Count > 0 && !c.SequenceEqual(main)).DistinctBy(Key).ToList();
            var reason = new AccessReason(main, conditions, [.. ExclusionsOf(proof).Distinct(StringComparer.Ordinal)]);
            if (!reasons.Any(r => Key(r.Chain) == Key(reason.Chain) && r.Conditions.Select(Key).SequenceEqual(reason.Conditions.Select(Key))))
            {
                reasons.Add(reason);
            }
        }

        return reasons;
    }

    /// <summary>The chains of a proof, each from the person up; the first is the one the proof's first operand rests on.</summary>
    private static List<List<AccessStep>> Chains(AccessProof proof) => proof switch
    {
        TupleProof tuple => [[Step(tuple.Tuple)]],
        UsersetProof userset => Extend(Chains(userset.Membership), Step(userset.Tuple)),
        ComputedProof computed => Chains(computed.Source),
        LinkProof link => Chains(link.Source),
        AllProof all => [.. all.Operands.SelectMany(Chains)],
        ExceptProof except => Chains(except.Base),
        _ => [[]],
    };

    /// <summary>The membership's main chain continues with the relationship granted to the userset.</summary>
    private static List<List<AccessStep>> Extend(List<List<AccessStep>> membership, AccessStep granted) => [[.. membership[0], granted], .. membership.Skip(1)];

    private static IEnumerable<string> ExclusionsOf(AccessProof proof) => proof switch
    {
        ExceptProof except => [except.Excluded, .. ExclusionsOf(except.Base)],
        UsersetProof userset => ExclusionsOf(userset.Membership),
        ComputedProof computed => ExclusionsOf(computed.Source),
        LinkProof link => ExclusionsOf(link.Source),
        AllProof all => all.Operands.SelectMany(ExclusionsOf),
        _ => [],
    };

    private static AccessStep Step(RelationshipTuple tuple)
    {
        var colon = tuple.Object.IndexOf(':', StringComparison.Ordinal);
        var type = tuple.Object[..colon];
        return new AccessStep(tuple.Relation, type, Guid.TryParse(tuple.Object.AsSpan(colon + 1), out var id) ? id : null, tuple.User.EndsWith(":*", StringComparison.Ordinal));
    }

    private static string Key(IReadOnlyList<AccessStep> chain) => string.Join('/', chain);
}
