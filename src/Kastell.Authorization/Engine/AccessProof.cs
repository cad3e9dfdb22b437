using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>
/// The answer of Explain: Check's decision and, when it allows, the ways the user holds the relation — each a proof
/// that rests on stored (or contextual) tuples only, so "who has access, and why" can show every path, not just the
/// first one Check happened to find. <see cref="Truncated"/> says more proofs exist than were collected (the limit
/// <see cref="AuthorizationEngineOptions.ExplainMaxProofs"/> or the list deadline was reached).
/// </summary>
public sealed record ExplainResult(bool Allowed, IReadOnlyList<AccessProof> Proofs)
{
    public bool Truncated { get; init; }
}

/// <summary>
/// Why a user holds one relation on one object, as a tree without alternatives: each alternative of a union is its own
/// proof, so every node here holds. Read from the requested object down to the user.
/// </summary>
public abstract record AccessProof
{
    /// <summary>Every tuple the proof rests on, from the requested object down to the user.</summary>
    public abstract IEnumerable<RelationshipTuple> Tuples { get; }
}

/// <summary>A tuple of the relation names the user (or a wildcard that includes them).</summary>
public sealed record TupleProof(RelationshipTuple Tuple) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => [Tuple];

    public override string ToString() => Tuple.ToString();
}

/// <summary>A tuple of the relation names a userset (<c>team:ops#member</c>), and <see cref="Membership"/> proves the user is in it.</summary>
public sealed record UsersetProof(RelationshipTuple Tuple, AccessProof Membership) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => [Tuple, .. Membership.Tuples];

    public override string ToString() => $"{Tuple} <- {Membership}";
}

/// <summary>The request's user is a userset, and it is this very userset (<c>team:ops#member</c> is a member of <c>team:ops#member</c>).</summary>
public sealed record SameUsersetProof(string Userset) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => [];

    public override string ToString() => $"{Userset} (the userset itself)";
}

/// <summary>The relation holds because <see cref="Relation"/> of the same object holds (<c>define editor: manager</c>), as <see cref="Source"/> proves.</summary>
public sealed record ComputedProof(string Object, string Relation, AccessProof Source) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => Source.Tuples;

    public override string ToString() => $"{Object}#{Relation}: {Source}";
}

/// <summary>
/// The tupleset tuple <see cref="Tuple"/> links the object to <c>Tuple.User</c> (a Space to its organization), on which
/// <see cref="Relation"/> holds, as <see cref="Source"/> proves (<c>define manager: can_administer from organization</c>).
/// </summary>
public sealed record LinkProof(RelationshipTuple Tuple, string Relation, AccessProof Source) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => [Tuple, .. Source.Tuples];

    public override string ToString() => $"{Tuple} -> {Tuple.User}#{Relation}: {Source}";
}

/// <summary>Every operand of an intersection holds, each as its proof shows.</summary>
public sealed record AllProof(IReadOnlyList<AccessProof> Operands) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => Operands.SelectMany(o => o.Tuples);

    public override string ToString() => "(" + string.Join(" AND ", Operands) + ")";
}

/// <summary>The base of an exclusion holds, as <see cref="Base"/> proves, and <see cref="Excluded"/> (the <c>but not</c> operand) does not.</summary>
public sealed record ExceptProof(AccessProof Base, string Excluded) : AccessProof
{
    public override IEnumerable<RelationshipTuple> Tuples => Base.Tuples;

    public override string ToString() => $"{Base} BUT NOT {Excluded}";
}
