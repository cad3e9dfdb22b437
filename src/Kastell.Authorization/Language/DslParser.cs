using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>
/// Recursive-descent parser for the OpenFGA DSL (schema 1.1, modules). It follows the structure of OpenFGA's grammar
/// and imitates its error recovery where that is cheap: a single stray token is reported as "extraneous input" and
/// skipped, a single missing token as "missing", anything else stops parsing with "mismatched input".
/// </summary>
internal sealed partial class DslParser
{
    private static readonly TokenKind[] IdentifierKinds =
    [
        TokenKind.Identifier, TokenKind.Module, TokenKind.Model, TokenKind.Schema, TokenKind.Extend, TokenKind.Type,
        TokenKind.Relation, TokenKind.ExtendedIdentifier,
    ];

    private readonly List<Token> _tokens;
    private readonly List<ModelError> _errors;
    private readonly DslDocument _document = new();
    private int _position;
    private bool _skippedCondition;

    private DslParser(List<Token> tokens, List<ModelError> errors)
    {
        _tokens = tokens;
        _errors = errors;
    }

    /// <summary>Parses DSL text; the document is null when a syntax error stopped the parser.</summary>
    public static (DslDocument? Document, List<ModelError> Errors) Parse(string dsl)
    {
        var errors = new List<ModelError>();
        var tokens = DslLexer.Tokenize(StripComments(dsl), errors);
        var parser = new DslParser(tokens, errors);
        try
        {
            parser.ParseMain();
        }
        catch (AbortParse)
        {
            return (null, errors);
        }

        return (errors.Count == 0 ? parser._document : null, errors);
    }

    /// <summary>
    /// OpenFGA blanks whole-line comments and cuts a trailing <c> #...</c> comment before parsing; doing the same keeps
    /// line and column numbers identical to the source.
    /// </summary>
    internal static string StripComments(string dsl)
    {
        var lines = dsl.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#') || line.Trim().Length == 0)
            {
                lines[i] = string.Empty;
                continue;
            }

            var comment = line.IndexOf(" #", StringComparison.Ordinal);
            lines[i] = (comment >= 0 ? line[..comment] : line).TrimEnd();
        }

        return string.Join('\n', lines);
    }

    private sealed class AbortParse : Exception;

    private Token La(int offset = 1)
    {
        var index = Math.Min(_position + offset - 1, _tokens.Count - 1);
        return _tokens[index];
    }

    private bool Is(TokenKind kind, int offset = 1) => La(offset).Kind == kind;

    private static bool IsIdentifier(Token token) => IdentifierKinds.Contains(token.Kind);

    private Token Consume()
    {
        var token = La();
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }

        return token;
    }

    private void Report(string message, Token token) =>
        _errors.Add(new ModelError(message, token.Line, token.Line, token.Column, token.Column + token.Text.Length, null, token.Text));

    private static string Expecting(IEnumerable<TokenKind> kinds)
    {
        var ordered = kinds.Distinct().OrderBy(k => (int)k).Select(k => k.Display()).ToList();
        return ordered.Count == 1 ? ordered[0] : "{" + string.Join(", ", ordered) + "}";
    }

    private static string Quote(Token token) => token.Kind == TokenKind.Eof ? "'<EOF>'" : $"'{DslLexer.Escape(token.Text)}'";

    private AbortParse Mismatch(IEnumerable<TokenKind> expected)
    {
        Report($"mismatched input {Quote(La())} expecting {Expecting(expected)}", La());
        return new AbortParse();
    }

    private AbortParse NoViableAlternative(Token start)
    {
        var text = string.Concat(_tokens.Skip(_tokens.IndexOf(start)).Take(_tokens.IndexOf(La()) - _tokens.IndexOf(start) + 1).Select(t => t.Text));
        Report($"no viable alternative at input '{DslLexer.Escape(text)}'", La());
        return new AbortParse();
    }

    /// <summary>
    /// Before a decision: when the current token cannot start any alternative but the next one can, the current one is
    /// reported as extraneous and dropped. Returns whether the current token is now acceptable.
    /// </summary>
    private bool Sync(params TokenKind[] expected)
    {
        if (expected.Contains(La().Kind))
        {
            return true;
        }

        if (expected.Contains(La(2).Kind))
        {
            Report($"extraneous input {Quote(La())} expecting {Expecting(expected)}", La());
            Consume();
            return true;
        }

        return false;
    }

    /// <summary>Matches one token kind with single-token deletion and insertion recovery.</summary>
    private Token Match(TokenKind kind, params TokenKind[] follow)
    {
        if (Is(kind))
        {
            return Consume();
        }

        if (Is(kind, 2))
        {
            Report($"extraneous input {Quote(La())} expecting {Expecting([kind])}", La());
            Consume();
            return Consume();
        }

        if (follow.Contains(La().Kind) || (follow.Contains(TokenKind.Identifier) && IsIdentifier(La())))
        {
            Report($"missing {kind.Display()} at {Quote(La())}", La());
            return new Token(kind, string.Empty, La().Start, La().Line, La().Column);
        }

        throw Mismatch([kind]);
    }

    private Token MatchIdentifier()
    {
        if (IsIdentifier(La()))
        {
            return Consume();
        }

        if (IsIdentifier(La(2)))
        {
            Report($"extraneous input {Quote(La())} expecting {Expecting(IdentifierKinds)}", La());
            Consume();
            return Consume();
        }

        throw Mismatch(IdentifierKinds);
    }

    private void ParseMain()
    {
        if (Sync(TokenKind.Whitespace, TokenKind.Hash, TokenKind.Module, TokenKind.Model, TokenKind.Newline) && Is(TokenKind.Whitespace))
        {
            Consume();
        }

        if (Sync(TokenKind.Hash, TokenKind.Module, TokenKind.Model, TokenKind.Newline) && Is(TokenKind.Newline))
        {
            Consume();
        }

        if (!Sync(TokenKind.Hash, TokenKind.Module, TokenKind.Model))
        {
            throw Mismatch([TokenKind.Hash, TokenKind.Module, TokenKind.Model]);
        }

        if (Is(TokenKind.Model))
        {
            ParseModelHeader();
        }
        else
        {
            ParseModuleHeader();
        }

        ParseBody();
    }

    private void ParseModelHeader()
    {
        Consume();
        Match(TokenKind.Newline);
        Match(TokenKind.Schema, TokenKind.Whitespace);
        Match(TokenKind.Whitespace, TokenKind.SchemaVersion);
        var version = Match(TokenKind.SchemaVersion);
        _document.SchemaVersion = version.Text;
        _document.SchemaSpan = SourceSpan.Of(version);
        if (Is(TokenKind.Whitespace))
        {
            Consume();
        }
    }

    private void ParseModuleHeader()
    {
        Consume();
        Match(TokenKind.Whitespace, TokenKind.Identifier);
        _document.ModuleName = MatchIdentifier().Text;
        if (Is(TokenKind.Whitespace))
        {
            Consume();
        }
    }

    /// <summary>Type definitions then conditions, each introduced by a newline, until the end of input.</summary>
    private void ParseBody()
    {
        var conditionsStarted = false;
        while (true)
        {
            if (Is(TokenKind.Eof))
            {
                return;
            }

            if (!Is(TokenKind.Newline))
            {
                if (Is(TokenKind.Eof, 2) || Is(TokenKind.Newline, 2))
                {
                    Report($"extraneous input {Quote(La())} expecting {Expecting([TokenKind.Eof, TokenKind.Newline])}", La());
                    Consume();
                    continue;
                }

                throw Mismatch([TokenKind.Eof, TokenKind.Newline]);
            }

            var newline = La();
            var next = La(2).Kind;
            switch (next)
            {
                case TokenKind.Eof:
                    Consume();
                    continue;
                case TokenKind.Type or TokenKind.Extend when !conditionsStarted:
                    Consume();
                    ParseTypeDefinition();
                    continue;
                case TokenKind.Condition:
                    conditionsStarted = true;
                    Consume();
                    ParseCondition();
                    continue;
                case var _ when _skippedCondition:
                    // After a skipped condition OpenFGA's grammar can only end: NEWLINE* EOF.
                    Consume();
                    throw Mismatch([TokenKind.Eof]);
                default:
                    Consume();
                    throw NoViableAlternative(newline);
            }
        }
    }
}
