using System.Text.RegularExpressions;

namespace Kastell.Authorization.Language;

/// <summary>
/// Positions semantic errors the way OpenFGA does: it finds the line of the type or relation by its text, then the
/// first whole-word occurrence of the offending symbol on that line. Reproducing the text search (rather than using
/// parser positions) keeps line and column identical to OpenFGA's, including its quirks.
/// </summary>
internal sealed partial class ErrorLocator(string source)
{
    private readonly string[] _lines = source.Split('\n');

    public int TypeLine(string type, int from = 0) => FindLine(from, line => StartsWithWord(line.Trim(), $"type {type}"));

    /// <summary>
    /// The <c>define</c> line of a relation inside the block of its type; extension blocks (<c>extend type</c>) count
    /// too, so relations added by another module are found where they are written.
    /// </summary>
    public int RelationLine(string type, string relation)
    {
        for (var header = 0; header < _lines.Length; header++)
        {
            var trimmed = _lines[header].Trim();
            if (!StartsWithWord(trimmed, $"type {type}") && !StartsWithWord(trimmed, $"extend type {type}"))
            {
                continue;
            }

            for (var i = header + 1; i < _lines.Length; i++)
            {
                var line = Spaces().Replace(_lines[i].Trim(), " ");
                if (line.StartsWith("type ", StringComparison.Ordinal) || line.StartsWith("extend type ", StringComparison.Ordinal) || line.StartsWith("condition ", StringComparison.Ordinal))
                {
                    break;
                }

                if (StartsWithWord(line, $"define {relation}"))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    public int ConditionLine(string condition) => FindLine(0, line => StartsWithWord(line.Trim(), $"condition {condition}"));

    public int SchemaLine(string version) => FindLine(0, line => Spaces().Replace(line.Trim(), " ").StartsWith($"schema {version}", StringComparison.Ordinal));

    /// <summary>Prefix match that does not let <c>define view</c> match <c>define viewer</c>.</summary>
    private static bool StartsWithWord(string text, string prefix) =>
        text.StartsWith(prefix, StringComparison.Ordinal)
        && (text.Length == prefix.Length || !IsNameChar(text[prefix.Length]));

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/';

    private int FindLine(int from, Func<string, bool> predicate)
    {
        for (var i = Math.Max(from, 0); i < _lines.Length; i++)
        {
            if (predicate(_lines[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public string Line(int index) => index >= 0 && index < _lines.Length ? _lines[index] : string.Empty;

    /// <summary>Error at the first whole-word match of <paramref name="symbol"/> on the line (column 0 when absent).</summary>
    public ModelError At(int line, string symbol, string message, string errorType) =>
        AtColumn(line, WordColumn(Line(line), symbol), symbol, message, errorType);

    /// <summary>Like <see cref="At"/>, but only looks at the relation's definition (after its colon), not at its name.</summary>
    public ModelError AtDefinition(int line, string symbol, string message, string errorType)
    {
        var text = Line(line);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var column = colon < 0 ? WordColumn(text, symbol) : colon + 1 + WordColumn(text[(colon + 1)..], symbol);
        return AtColumn(line, column, symbol, message, errorType);
    }

    /// <summary>Error on the condition name of a <c>with</c> clause.</summary>
    public ModelError AtCondition(int line, string condition, string message, string errorType)
    {
        var match = Regex.Match(Line(line), $@"\bwith\s+({Regex.Escape(condition)})\b");
        return AtColumn(line, match.Success ? match.Groups[1].Index : 0, condition, message, errorType);
    }

    public static ModelError AtColumn(int line, int column, string symbol, string message, string errorType) =>
        new(message, line, line, column, column + symbol.Length, errorType, symbol);

    internal static int WordColumn(string line, string symbol)
    {
        Match match;
        try
        {
            match = Regex.Match(line, $@"\b{symbol}\b");
        }
        catch (ArgumentException)
        {
            match = Regex.Match(line, $@"\b{Regex.Escape(symbol)}\b");
        }

        return match.Success ? match.Index : 0;
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();
}
