using Kastell.Authorization.Model;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>One relation of one type with everything evaluation needs precomputed.</summary>
internal sealed class CompiledRelation(string type, RelationDefinition definition)
{
    public string Type { get; } = ModelNames.Intern(type);

    /// <summary>A per-instance hash read once (relations compare by reference): hot dictionaries key on relations.</summary>
    public int IdentityHash { get; } = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(definition);

    public string Name { get; } = ModelNames.Intern(definition.Name);

    public RelationDefinition Definition { get; } = definition;

    public PlanNode Plan { get; set; } = new DirectNode();

    /// <summary>Subject kinds (<c>user</c>, <c>user:*</c>, <c>group#member</c>) that may be written directly, with the conditions allowed for each (null = without condition).</summary>
    public Dictionary<string, HashSet<string?>> DirectSubjects { get; } = new(StringComparer.Ordinal);

    public bool HasUsersetSubjects { get; set; }

    /// <summary>Types whose users a tuple of this relation can possibly grant, and usersets (<c>group#member</c>) it can contain.</summary>
    public HashSet<string> Reachable { get; } = new(StringComparer.Ordinal);

    /// <summary>Relations of the same type that contain this one through a computed userset (for reverse expansion).</summary>
    public List<CompiledRelation> ComputedDependents { get; } = [];

    /// <summary>(relation, tupleset) pairs where <c>this from tupleset</c> appears and the tupleset admits this type.</summary>
    public List<(CompiledRelation Relation, CompiledRelation Tupleset)> TupleToUsersetDependents { get; } = [];

    /// <summary>Relations that admit <c>Type#Name</c> as a directly assigned userset.</summary>
    public List<CompiledRelation> UsersetDependents { get; } = [];

    /// <summary>Leaves of the plan reached from its root through unions only: any one of them holding proves the relation.</summary>
    public List<PlanNode> UnionLeaves { get; } = [];

    /// <summary>
    /// Whether the relation can depend on itself (through computed relations, tuple-to-userset or usersets, at the type
    /// level). ListObjects only short-cuts the evaluation of intersections and exclusions of relations that cannot,
    /// because there Check's cycle cuts depend on the path it came from.
    /// </summary>
    public bool OnCycle { get; set; }

    /// <summary>Whether a proven reverse-expansion step alone proves this relation (the leaf it reaches sits under unions only).</summary>
    public bool ProvenBy(ExpansionEdge edge)
    {
        foreach (var leaf in UnionLeaves)
        {
            if (edge.Proves(leaf))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>type#relation</c>, built once: it is the subject kind of userset users of Check requests.</summary>
    public string Qualified { get; } = ModelNames.Intern($"{type}#{definition.Name}");

    /// <summary>Whether a stored tuple still fits this relation's type restrictions; tuples left over from an older model are ignored, as OpenFGA does.</summary>
    public bool Admits(RelationshipTuple tuple, ParsedUser user) => Admits(tuple, user.SubjectKind);

    /// <summary><see cref="Admits(RelationshipTuple, ParsedUser)"/> for a user of <paramref name="subjectKind"/>.</summary>
    public bool Admits(RelationshipTuple tuple, string subjectKind) =>
        DirectSubjects.TryGetValue(subjectKind, out var conditions)
        && (tuple.Condition is null ? conditions.Contains(null) : conditions.Contains(tuple.Condition.Name));

    public bool AdmitsKind(string subjectKind) => DirectSubjects.ContainsKey(subjectKind);

    /// <summary>Whether a tuple of this relation whose user is of <paramref name="subjectKind"/> and that has no condition fits the type restrictions.</summary>
    public bool AdmitsWithoutCondition(string subjectKind) =>
        DirectSubjects.TryGetValue(subjectKind, out var conditions) && conditions.Contains(null);

    public override string ToString() => Qualified;
}
