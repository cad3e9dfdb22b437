using System.Globalization;
using System.Text;

namespace Kastell.Authorization.Conditions.Cel;

internal enum CelTokenKind
{
    End,
    Identifier,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Punctuation,
}

/// <summary>
/// A lexical token. Integer literals keep their magnitude in <see cref="Value"/> as <see cref="ulong"/>,
/// because only the parser knows whether a unary minus makes <c>9223372036854775808</c> valid.
/// </summary>
internal readonly record struct CelToken(CelTokenKind Kind, string Text, object? Value, int Position);

/// <summary>Turns CEL source into tokens, following the CEL language definition's lexis.</summary>
internal sealed class CelLexer(string source)
{
    private static readonly string[] Punctuations =
    [
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":",
        "(", ")", "[", "]", "{", "}", ".", ",",
    ];

    private int _pos;

    public List<CelToken> Tokenize()
    {
        var tokens = new List<CelToken>();
        while (true)
        {
            SkipWhitespaceAndComments();
            if (_pos >= source.Length)
            {
                tokens.Add(new CelToken(CelTokenKind.End, string.Empty, null, _pos));
                return tokens;
            }

            tokens.Add(Next());
        }
    }

    private void SkipWhitespaceAndComments()
    {
        while (_pos < source.Length)
        {
            var c = source[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && Peek(1) == '/')
            {
                while (_pos < source.Length && source[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private char Peek(int ahead) => _pos + ahead < source.Length ? source[_pos + ahead] : '\0';

    private CelToken Next()
    {
        var start = _pos;
        var c = source[_pos];
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return Number();
        }

        if (c is '"' or '\'')
        {
            return StringLiteral(start, raw: false, bytes: false);
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            // String prefixes: r"..", b"..", rb"..", br"..".
            var prefixEnd = _pos;
            while (prefixEnd < source.Length && prefixEnd - _pos < 2 && source[prefixEnd] is 'r' or 'R' or 'b' or 'B')
            {
                prefixEnd++;
            }

            if (prefixEnd > _pos && prefixEnd < source.Length && source[prefixEnd] is '"' or '\'')
            {
                var prefix = source[_pos..prefixEnd].ToLowerInvariant();
                if (prefix is "r" or "b" or "rb" or "br")
                {
                    _pos = prefixEnd;
                    return StringLiteral(start, raw: prefix.Contains('r'), bytes: prefix.Contains('b'));
                }
            }

            while (_pos < source.Length && (char.IsAsciiLetterOrDigit(source[_pos]) || source[_pos] == '_'))
            {
                _pos++;
            }

            return new CelToken(CelTokenKind.Identifier, source[start.._pos], null, start);
        }

        foreach (var p in Punctuations)
        {
            if (string.CompareOrdinal(source, _pos, p, 0, p.Length) == 0)
            {
                _pos += p.Length;
                return new CelToken(CelTokenKind.Punctuation, p, null, start);
            }
        }

        throw new CelSyntaxException(start, $"unexpected character '{c}'");
    }

    private CelToken Number()
    {
        var start = _pos;
        if (source[_pos] == '0' && Peek(1) is 'x' or 'X')
        {
            _pos += 2;
            var digitsStart = _pos;
            while (_pos < source.Length && char.IsAsciiHexDigit(source[_pos]))
            {
                _pos++;
            }

            if (_pos == digitsStart || !ulong.TryParse(source.AsSpan(digitsStart, _pos - digitsStart), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                throw new CelSyntaxException(start, "invalid hexadecimal literal");
            }

            return IntegerToken(start, hex);
        }

        while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
        {
            _pos++;
        }

        var isDouble = false;
        if (_pos < source.Length && source[_pos] == '.' && char.IsAsciiDigit(Peek(1)))
        {
            isDouble = true;
            _pos++;
            while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < source.Length && source[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < source.Length && source[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                isDouble = true;
                while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        var text = source[start.._pos];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Double, text, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), start);
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new CelSyntaxException(start, $"integer literal '{text}' is out of range");
        }

        return IntegerToken(start, value);
    }

    private CelToken IntegerToken(int start, ulong magnitude)
    {
        if (_pos < source.Length && source[_pos] is 'u' or 'U')
        {
            _pos++;
            return new CelToken(CelTokenKind.Uint, source[start.._pos], magnitude, start);
        }

        return new CelToken(CelTokenKind.Int, source[start.._pos], magnitude, start);
    }

    private CelToken StringLiteral(int start, bool raw, bool bytes)
    {
        var quote = source[_pos];
        var triple = Peek(1) == quote && Peek(2) == quote;
        var delimiter = new string(quote, triple ? 3 : 1);
        _pos += delimiter.Length;
        var text = new StringBuilder();
        var bytesValue = new List<byte>();
        while (true)
        {
            if (_pos >= source.Length)
            {
                throw new CelSyntaxException(start, "unterminated string literal");
            }

            if (string.CompareOrdinal(source, _pos, delimiter, 0, delimiter.Length) == 0)
            {
                _pos += delimiter.Length;
                break;
            }

            var c = source[_pos];
            if (!triple && c is '\n' or '\r')
            {
                throw new CelSyntaxException(start, "newline in string literal");
            }

            if (c == '\\' && !raw)
            {
                ReadEscape(text, bytesValue, bytes);
                continue;
            }

            if (bytes)
            {
                var runeLength = char.IsSurrogatePair(source, _pos) ? 2 : 1;
                bytesValue.AddRange(Encoding.UTF8.GetBytes(source.Substring(_pos, runeLength)));
                _pos += runeLength;
            }
            else
            {
                text.Append(c);
                _pos++;
            }
        }

        return bytes
            ? new CelToken(CelTokenKind.Bytes, source[start.._pos], bytesValue.ToArray(), start)
            : new CelToken(CelTokenKind.String, source[start.._pos], text.ToString(), start);
    }

    private void ReadEscape(StringBuilder text, List<byte> bytesValue, bool bytes)
    {
        var escapeStart = _pos;
        _pos++;
        if (_pos >= source.Length)
        {
            throw new CelSyntaxException(escapeStart, "unterminated escape sequence");
        }

        var e = source[_pos++];
        char? simple = e switch
        {
            'a' => '\a', 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', 'v' => '\v',
            '\\' => '\\', '\'' => '\'', '"' => '"', '`' => '`', '?' => '?',
            _ => null,
        };
        if (simple is { } ch)
        {
            if (bytes)
            {
                bytesValue.Add((byte)ch);
            }
            else
            {
                text.Append(ch);
            }

            return;
        }

        int codePoint;
        switch (e)
        {
            case 'x' or 'X':
                codePoint = ReadHex(2, escapeStart);
                break;
            case 'u' when !bytes:
                codePoint = ReadHex(4, escapeStart);
                break;
            case 'U' when !bytes:
                codePoint = ReadHex(8, escapeStart);
                break;
            case >= '0' and <= '3':
                _pos--;
                codePoint = ReadDigits(3, 8, escapeStart);
                break;
            default:
                throw new CelSyntaxException(escapeStart, $"invalid escape sequence '\\{e}'");
        }

        if (bytes)
        {
            // In bytes literals \x and octal escapes denote raw octets.
            bytesValue.Add((byte)codePoint);
            return;
        }

        if (codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
        {
            throw new CelSyntaxException(escapeStart, "invalid code point in escape sequence");
        }

        text.Append(char.ConvertFromUtf32(codePoint));
    }

    private int ReadHex(int count, int escapeStart) => ReadDigits(count, 16, escapeStart);

    private int ReadDigits(int count, int radix, int escapeStart)
    {
        if (_pos + count > source.Length)
        {
            throw new CelSyntaxException(escapeStart, "truncated escape sequence");
        }

        var value = 0L;
        for (var i = 0; i < count; i++)
        {
            var digit = HexValue(source[_pos + i]);
            if (digit < 0 || digit >= radix)
            {
                throw new CelSyntaxException(escapeStart, "invalid escape sequence");
            }

            value = value * radix + digit;
        }

        _pos += count;
        return value > int.MaxValue ? int.MaxValue : (int)value;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}

/// <summary>A syntax error at a source offset; the evaluator turns it into a <see cref="ConditionException"/> with line and column.</summary>
internal sealed class CelSyntaxException(int position, string message) : Exception(message)
{
    public int Position { get; } = position;
}
