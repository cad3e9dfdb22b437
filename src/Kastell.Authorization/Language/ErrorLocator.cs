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

    public int RelationLine(string type, string relation)
    {
        var typeLine = TypeLine(type);
        return FindLine(typeLine, line => StartsWithWord(Spaces().Replace(line.Trim(), " "), $"define {relation}"));
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
