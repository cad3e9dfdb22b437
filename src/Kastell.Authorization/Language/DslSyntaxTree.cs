using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Where a name sits in the DSL source: zero-based line, column start and exclusive column end.</summary>
internal sealed record SourceSpan(int Line, int Column, int EndColumn)
{
    public static SourceSpan Of(Token token) => new(token.Line, token.Column, token.Column + token.Text.Length);
}

/// <summary>The parsed DSL with source positions, kept so semantic errors can point at the offending symbol.</summary>
internal sealed class DslDocument
{
    public string? SchemaVersion { get; set; }

    public SourceSpan? SchemaSpan { get; set; }

    public string? ModuleName { get; set; }

    public List<DslType> Types { get; } = [];

    public List<DslCondition> Conditions { get; } = [];
}

internal sealed record DslType(string Name, SourceSpan NameSpan, bool IsExtension, List<DslRelation> Relations);

internal sealed record DslRelation(string Name, SourceSpan NameSpan, DslExpression Rewrite);

internal abstract record DslExpression;

internal sealed record DslDirect(List<DslTypeReference> Types) : DslExpression;

internal sealed record DslComputed(string Relation, SourceSpan Span) : DslExpression;

internal sealed record DslTupleToUserset(string Relation, SourceSpan RelationSpan, string Tupleset, SourceSpan TuplesetSpan) : DslExpression;

internal enum DslOperator
{
    Union,
    Intersection,
    Exclusion,
}

internal sealed record DslOperation(DslOperator Operator, List<DslExpression> Children) : DslExpression;

internal sealed record DslTypeReference(string Type, string? Relation, bool Wildcard, string? Condition, SourceSpan Span, SourceSpan? ConditionSpan)
{
    /// <summary>The restriction as written: <c>user</c>, <c>user:*</c>, <c>group#member</c>.</summary>
    public string Text => Wildcard ? $"{Type}:*" : Relation is null ? Type : $"{Type}#{Relation}";
}

internal sealed record DslCondition(string Name, SourceSpan NameSpan, List<DslParameter> Parameters, string Expression);

internal sealed record DslParameter(string Name, SourceSpan NameSpan, ConditionParameterType Type);
