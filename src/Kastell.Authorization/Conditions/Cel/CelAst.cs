namespace Kastell.Authorization.Conditions.Cel;

/// <summary>A node of a parsed CEL expression. <see cref="Position"/> is the 0-based offset into the source.</summary>
internal abstract record CelExpr(int Position)
{
    /// <summary>Height of the subtree; bounded by <see cref="CelLimits.MaxNestingDepth"/> so that every recursive walk is safe.</summary>
    public abstract int Depth { get; }

    protected static int DepthOf(IEnumerable<CelExpr> children) => 1 + children.Select(c => c.Depth).DefaultIfEmpty(0).Max();
}

/// <summary>A literal: <see cref="long"/>, <see cref="ulong"/>, <see cref="double"/>, <see cref="string"/>, <see cref="bool"/>, bytes or <see cref="CelNull"/>.</summary>
internal sealed record CelLiteral(int Position, object Value) : CelExpr(Position)
{
    public override int Depth => 1;
}

internal sealed record CelIdent(int Position, string Name) : CelExpr(Position)
{
    public override int Depth => 1;
}

/// <summary><c>operand.field</c>; with <see cref="TestOnly"/> it is the <c>has(operand.field)</c> presence test.</summary>
internal sealed record CelSelect(int Position, CelExpr Operand, string Field, bool TestOnly) : CelExpr(Position)
{
    public override int Depth { get; } = 1 + Operand.Depth;
}

/// <summary>A function or operator call. Operators use cel-go's names (<c>_+_</c>, <c>_[_]</c>, <c>!_</c>, <c>@in</c>).</summary>
internal sealed record CelCall(int Position, string Function, CelExpr? Target, IReadOnlyList<CelExpr> Args) : CelExpr(Position)
{
    public override int Depth { get; } = DepthOf(Target is null ? Args : Args.Prepend(Target));
}

internal sealed record CelList(int Position, IReadOnlyList<CelExpr> Elements) : CelExpr(Position)
{
    public override int Depth { get; } = DepthOf(Elements);
}

internal sealed record CelMap(int Position, IReadOnlyList<(CelExpr Key, CelExpr Value)> Entries) : CelExpr(Position)
{
    public override int Depth { get; } = DepthOf(Entries.SelectMany(e => new[] { e.Key, e.Value }));
}

internal enum CelMacroKind
{
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

/// <summary>
/// A list macro (<c>range.all(x, p)</c> and friends). Over a map it ranges over the keys, as in CEL.
/// <see cref="Filter"/> is the optional predicate of the three-argument <c>map(x, p, t)</c>.
/// </summary>
internal sealed record CelComprehension(int Position, CelMacroKind Kind, CelExpr Range, string Variable, CelExpr Body, CelExpr? Filter)
    : CelExpr(Position)
{
    public override int Depth { get; } = DepthOf(Filter is null ? [Range, Body] : [Range, Body, Filter]);
}
