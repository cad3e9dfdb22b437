namespace Kastell.Authorization.Language;

/// <summary>
/// Splits (comment-stripped) DSL text into tokens the way OpenFGA's lexer does: longest match wins, and on a tie the
/// earlier rule (keywords before identifiers) wins. After <c>condition</c> the lexer switches to a parameter-list
/// mode until the closing parenthesis, which is why <c>string</c> cannot name a parameter.
/// </summary>
internal sealed class DslLexer
{
    private static readonly (string Text, TokenKind Kind)[] Literals =
    [
        ("#", TokenKind.Hash), (":", TokenKind.Colon), (",", TokenKind.Comma),
        ("and", TokenKind.And), ("or", TokenKind.Or), ("but not", TokenKind.ButNot), ("from", TokenKind.From),
        ("module", TokenKind.Module), ("model", TokenKind.Model), ("schema", TokenKind.Schema),
        ("extend", TokenKind.Extend), ("type", TokenKind.Type), ("condition", TokenKind.Condition),
        ("relations", TokenKind.Relations), ("relation", TokenKind.Relation), ("define", TokenKind.Define),
        ("with", TokenKind.With), ("==", TokenKind.EqualsOp), ("!=", TokenKind.NotEquals), ("in", TokenKind.In),
        ("<", TokenKind.Less), ("<=", TokenKind.LessEquals), (">=", TokenKind.GreaterEquals), (">", TokenKind.Greater),
        ("&&", TokenKind.LogicalAnd), ("||", TokenKind.LogicalOr), ("[", TokenKind.LBracket), ("]", TokenKind.RBracket),
        ("{", TokenKind.LBrace), ("}", TokenKind.RBrace), ("(", TokenKind.LParen), (")", TokenKind.RParen),
        (".", TokenKind.Dot), ("-", TokenKind.Minus), ("!", TokenKind.Exclamation), ("?", TokenKind.QuestionMark),
        ("+", TokenKind.Plus), ("*", TokenKind.Star), ("/", TokenKind.Slash), ("%", TokenKind.Percent),
        ("true", TokenKind.True), ("false", TokenKind.False), ("null", TokenKind.Null),
    ];

    private static readonly (string Text, TokenKind Kind)[] ConditionModeLiterals =
    [
        (")", TokenKind.RParen), ("map", TokenKind.ConditionParamContainer), ("list", TokenKind.ConditionParamContainer),
        ("bool", TokenKind.ConditionParamType), ("string", TokenKind.ConditionParamType), ("int", TokenKind.ConditionParamType),
        ("uint", TokenKind.ConditionParamType), ("double", TokenKind.ConditionParamType), ("duration", TokenKind.ConditionParamType),
        ("timestamp", TokenKind.ConditionParamType), ("ipaddress", TokenKind.ConditionParamType),
        ("<", TokenKind.Less), (">", TokenKind.Greater), ("(", TokenKind.LParen), (":", TokenKind.Colon), (",", TokenKind.Comma),
    ];

    private readonly string _text;
    private readonly int[] _lineStarts;
    private readonly List<ModelError> _errors;

    private DslLexer(string text, List<ModelError> errors)
    {
        _text = text;
        _errors = errors;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    public static List<Token> Tokenize(string text, List<ModelError> errors) => new DslLexer(text, errors).Run();

    private List<Token> Run()
    {
        var tokens = new List<Token>();
        var conditionMode = false;
        var pos = 0;
        while (pos < _text.Length)
        {
            var (kind, length) = conditionMode ? MatchConditionMode(pos) : MatchDefault(pos);
            if (length == 0)
            {
                var (line, column) = Locate(pos);
                _errors.Add(new ModelError($"token recognition error at: '{Escape(_text[pos].ToString())}'", line, line, column, column + 1, null, null));
                pos++;
                continue;
            }

            if (kind != TokenKind.CelComment)
            {
                var (line, column) = Locate(pos);
                tokens.Add(new Token(kind, _text.Substring(pos, length), pos, line, column));
            }

            if (kind == TokenKind.Condition && !conditionMode)
            {
                conditionMode = true;
            }
            else if (kind == TokenKind.RParen && conditionMode)
            {
                conditionMode = false;
            }

            pos += length;
        }

        var (eofLine, eofColumn) = Locate(_text.Length);
        tokens.Add(new Token(TokenKind.Eof, "<EOF>", _text.Length, eofLine, eofColumn));
        return tokens;
    }

    internal static string Escape(string text) => text.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");

    private (int Line, int Column) Locate(int pos)
    {
        var line = Array.BinarySearch(_lineStarts, pos);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return (line, pos - _lineStarts[line]);
    }

    private (TokenKind Kind, int Length) MatchDefault(int pos)
    {
        var best = (Kind: TokenKind.Eof, Length: 0);
        void Offer(TokenKind kind, int length)
        {
            // Strictly longer only: candidates are offered in rule order, so ties keep the earlier rule.
            if (length > best.Length)
            {
                best = (kind, length);
            }
        }

        foreach (var (text, kind) in Literals)
        {
            if (string.CompareOrdinal(_text, pos, text, 0, text.Length) == 0)
            {
                Offer(kind, text.Length);
            }
        }

        Offer(TokenKind.SchemaVersion, SchemaVersionLength(pos));
        Offer(TokenKind.Whitespace, WhitespaceLength(pos));
        if (At(pos, '/') && At(pos + 1, '/'))
        {
            var end = _text.IndexOf('\n', pos);
            Offer(TokenKind.CelComment, (end < 0 ? _text.Length : end) - pos);
        }

        var (numberKind, numberLength) = NumberLength(pos);
        Offer(numberKind, numberLength);
        Offer(TokenKind.String, StringLength(pos));
        if (At(pos, 'b') || At(pos, 'B'))
        {
            var s = StringLength(pos + 1);
            Offer(TokenKind.Bytes, s == 0 ? 0 : s + 1);
        }

        Offer(TokenKind.Identifier, IdentifierLength(pos));
        Offer(TokenKind.ExtendedIdentifier, ExtendedIdentifierLength(pos));
        Offer(TokenKind.Newline, NewlineLength(pos));
        return best;
    }

    private (TokenKind Kind, int Length) MatchConditionMode(int pos)
    {
        var best = (Kind: TokenKind.Eof, Length: 0);
        foreach (var (text, kind) in ConditionModeLiterals)
        {
            if (string.CompareOrdinal(_text, pos, text, 0, text.Length) == 0 && text.Length > best.Length)
            {
                best = (kind, text.Length);
            }
        }

        var ws = WhitespaceLength(pos);
        if (ws > best.Length)
        {
            best = (TokenKind.Whitespace, ws);
        }

        var id = IdentifierLength(pos);
        if (id > best.Length)
        {
            best = (TokenKind.Identifier, id);
        }

        // OpenFGA's parameter-list mode has no newline rule; accepting one keeps multi-line parameter lists usable.
        var nl = NewlineLength(pos);
        if (nl > best.Length)
        {
            best = (TokenKind.Newline, nl);
        }

        return best;
    }

    private bool At(int pos, char c) => pos < _text.Length && _text[pos] == c;

    private bool IsDigit(int pos) => pos < _text.Length && char.IsAsciiDigit(_text[pos]);

    private bool IsLetter(int pos) => pos < _text.Length && char.IsAsciiLetter(_text[pos]);

    private bool IsWordChar(int pos) => IsLetter(pos) || IsDigit(pos) || At(pos, '_');

    private bool IsSpace(int pos) => At(pos, ' ') || At(pos, '\t') || At(pos, '\f');

    private int Digits(int pos)
    {
        var end = pos;
        while (IsDigit(end))
        {
            end++;
        }

        return end - pos;
    }

    private int SchemaVersionLength(int pos)
    {
        var major = Digits(pos);
        if (major == 0 || !At(pos + major, '.'))
        {
            return 0;
        }

        var minor = Digits(pos + major + 1);
        return minor == 0 ? 0 : major + 1 + minor;
    }

    private int WhitespaceLength(int pos)
    {
        var end = pos;
        while (IsSpace(end))
        {
            end++;
        }

        return end - pos;
    }

    private int NewlineLength(int pos)
    {
        var end = pos + WhitespaceLength(pos);
        var sawBreak = false;
        while (true)
        {
            var breakLength = At(end, '\r') && At(end + 1, '\n') ? 2 : At(end, '\n') || At(end, '\r') ? 1 : 0;
            if (breakLength == 0)
            {
                break;
            }

            sawBreak = true;
            end += breakLength;
            end += WhitespaceLength(end);
        }

        return sawBreak ? end - pos : 0;
    }

    private (TokenKind Kind, int Length) NumberLength(int pos)
    {
        if (At(pos, '0') && (At(pos + 1, 'x') || At(pos + 1, 'X')))
        {
            var end = pos + 2;
            while (end < _text.Length && Uri.IsHexDigit(_text[end]))
            {
                end++;
            }

            if (end == pos + 2)
            {
                return (TokenKind.NumInt, 1);
            }

            return At(end, 'u') || At(end, 'U') ? (TokenKind.NumUint, end + 1 - pos) : (TokenKind.NumInt, end - pos);
        }

        var whole = Digits(pos);
        var index = pos + whole;
        var isFloat = false;
        if (At(index, '.') && IsDigit(index + 1))
        {
            index += 1 + Digits(index + 1);
            isFloat = true;
        }

        if (whole == 0 && !isFloat)
        {
            return (TokenKind.NumInt, 0);
        }

        if (At(index, 'e') || At(index, 'E'))
        {
            var exp = index + 1;
            if (At(exp, '+') || At(exp, '-'))
            {
                exp++;
            }

            var expDigits = Digits(exp);
            if (expDigits > 0)
            {
                index = exp + expDigits;
                isFloat = true;
            }
        }

        if (isFloat)
        {
            return (TokenKind.NumFloat, index - pos);
        }

        return At(index, 'u') || At(index, 'U') ? (TokenKind.NumUint, index + 1 - pos) : (TokenKind.NumInt, index - pos);
    }

    private int StringLength(int pos)
    {
        var start = pos;
        if (At(pos, 'r') || At(pos, 'R'))
        {
            pos++;
        }

        if (!At(pos, '"') && !At(pos, '\''))
        {
            return 0;
        }

        var quote = _text[pos];
        var triple = At(pos + 1, quote) && At(pos + 2, quote);
        var end = pos + (triple ? 3 : 1);
        while (end < _text.Length)
        {
            if (_text[end] == '\\')
            {
                end += 2;
                continue;
            }

            if (triple && At(end, quote) && At(end + 1, quote) && At(end + 2, quote))
            {
                return end + 3 - start;
            }

            if (!triple && _text[end] == quote)
            {
                return end + 1 - start;
            }

            if (!triple && _text[end] == '\n')
            {
                return 0;
            }

            end++;
        }

        return 0;
    }

    private int IdentifierLength(int pos)
    {
        if (!IsLetter(pos) && !At(pos, '_'))
        {
            return 0;
        }

        var end = pos + 1;
        while (IsWordChar(end) || At(end, '-'))
        {
            end++;
        }

        return end - pos;
    }

    private int ExtendedIdentifierLength(int pos)
    {
        if (!IsLetter(pos) && !At(pos, '_'))
        {
            return 0;
        }

        var end = pos + 1;
        while (true)
        {
            var segmentStart = At(end, '/') || At(end, '.') || At(end, '-') ? end + 1 : end;
            if (!IsWordChar(segmentStart))
            {
                break;
            }

            end = segmentStart;
            while (IsWordChar(end))
            {
                end++;
            }
        }

        return end - pos;
    }
}
