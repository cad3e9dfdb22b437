namespace Kastell.Authorization.Language;

/// <summary>
/// DSL token kinds. The declaration order is significant: OpenFGA lists expected tokens in its syntax errors ordered
/// by token type, so sorting by this enum reproduces its messages.
/// </summary>
internal enum TokenKind
{
    Eof = -1,
    Colon = 1,
    Comma,
    Less,
    Greater,
    LBracket,

    // OpenFGA's lexer declares an RBRACKET token it never produces (']' is RPRACKET further down); keeping the slot
    // keeps every later token's number, and so the order of "expecting" lists, aligned with OpenFGA's.
    RBracketUnused,
    LParen,
    RParen,
    Whitespace,
    Identifier,
    Hash,
    And,
    Or,
    ButNot,
    From,
    Module,
    Model,
    Schema,
    SchemaVersion,
    Extend,
    Type,
    Condition,
    Relations,
    Relation,
    Define,
    With,
    EqualsOp,
    NotEquals,
    In,
    LessEquals,
    GreaterEquals,
    LogicalAnd,
    LogicalOr,
    RBracket,
    LBrace,
    RBrace,
    Dot,
    Minus,
    Exclamation,
    QuestionMark,
    Plus,
    Star,
    Slash,
    Percent,
    True,
    False,
    Null,
    CelComment,
    NumFloat,
    NumInt,
    NumUint,
    String,
    Bytes,
    ExtendedIdentifier,
    Newline,
    ConditionParamContainer,
    ConditionParamType,
}

internal static class TokenKindNames
{
    /// <summary>How a token kind is shown in an "expecting ..." list: literal tokens quoted, the others by name.</summary>
    public static string Display(this TokenKind kind) => kind switch
    {
        TokenKind.Eof => "<EOF>",
        TokenKind.Colon => "':'",
        TokenKind.Comma => "','",
        TokenKind.Less => "'<'",
        TokenKind.Greater => "'>'",
        TokenKind.LBracket => "'['",
        TokenKind.LParen => "'('",
        TokenKind.RParen => "')'",
        TokenKind.Whitespace => "WHITESPACE",
        TokenKind.Identifier => "IDENTIFIER",
        TokenKind.Hash => "'#'",
        TokenKind.And => "'and'",
        TokenKind.Or => "'or'",
        TokenKind.ButNot => "'but not'",
        TokenKind.From => "'from'",
        TokenKind.Module => "'module'",
        TokenKind.Model => "'model'",
        TokenKind.Schema => "'schema'",
        TokenKind.SchemaVersion => "SCHEMA_VERSION",
        TokenKind.Extend => "'extend'",
        TokenKind.Type => "'type'",
        TokenKind.Condition => "'condition'",
        TokenKind.Relations => "'relations'",
        TokenKind.Relation => "'relation'",
        TokenKind.Define => "'define'",
        TokenKind.With => "'with'",
        TokenKind.RBracket => "']'",
        TokenKind.LBrace => "'{'",
        TokenKind.RBrace => "'}'",
        TokenKind.Star => "'*'",
        TokenKind.ExtendedIdentifier => "EXTENDED_IDENTIFIER",
        TokenKind.Newline => "NEWLINE",
        TokenKind.ConditionParamContainer => "CONDITION_PARAM_CONTAINER",
        TokenKind.ConditionParamType => "CONDITION_PARAM_TYPE",
        _ => kind.ToString().ToUpperInvariant(),
    };
}

/// <summary>A lexed token; <see cref="Line"/> and <see cref="Column"/> are zero-based like OpenFGA's error positions.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Start, int Line, int Column);
