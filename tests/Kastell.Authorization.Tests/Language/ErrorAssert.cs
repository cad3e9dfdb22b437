using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

internal static class ErrorAssert
{
    /// <summary>
    /// Compares errors as OpenFGA's cases state them: message, lines and columns where given, error type where given.
    /// Order is ignored; the multiset must match exactly.
    /// </summary>
    public static void Matches(IReadOnlyList<ExpectedError>? expected, IReadOnlyList<ModelError> actual)
    {
        var expectedLines = (expected ?? []).Select(Describe).Order(StringComparer.Ordinal).ToList();
        var actualLines = actual
            .Select(a => Describe(a, (expected ?? []).FirstOrDefault(e => e.Msg == a.Message)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expectedLines, actualLines);
    }

    private static string Describe(ExpectedError e) =>
        $"{Position(e.Line, e.Column)} {e.Msg} [{e.Metadata?.GetValueOrDefault("errorType")}]";

    private static string Describe(ModelError a, ExpectedError? shape)
    {
        // Only the parts the case specifies take part in the comparison.
        var line = shape is null || shape.Line is not null ? new Range { Start = a.LineStart, End = a.LineEnd } : null;
        var column = shape is null || shape.Column is not null ? new Range { Start = a.ColumnStart, End = a.ColumnEnd } : null;
        var type = shape is null || shape.Metadata?.ContainsKey("errorType") == true ? a.ErrorType : null;
        return $"{Position(line, column)} {a.Message} [{type}]";
    }

    private static string Position(Range? line, Range? column) =>
        $"{(line is null ? "?" : $"{line.Start}-{line.End}")}:{(column is null ? "?" : $"{column.Start}-{column.End}")}";
}
