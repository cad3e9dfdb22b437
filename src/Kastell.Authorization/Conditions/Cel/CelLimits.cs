namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// Bounds that keep hostile or accidental input from exhausting the process: conditions come from model authors,
/// context values from API callers.
/// </summary>
internal static class CelLimits
{
    /// <summary>Longest accepted expression, in UTF-16 code units.</summary>
    public const int MaxExpressionLength = 8_192;

    /// <summary>Deepest accepted syntax nesting; the parser, checker and interpreter recurse at most this deep.</summary>
    public const int MaxNestingDepth = 100;

    /// <summary>
    /// Evaluation steps one evaluation may take: one per node visit and comprehension iteration, plus the size of every
    /// list or map handed to a function (so that <c>in</c>, equality and concatenation pay for their linear work).
    /// </summary>
    public const int MaxEvaluationSteps = 100_000;

    /// <summary>Time one <c>matches()</c> call may spend in the regex engine.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest accepted regular expression pattern.</summary>
    public const int MaxRegexLength = 1_024;

    /// <summary>Deepest accepted nesting of lists and maps in a context value; conversion and equality recurse this deep.</summary>
    public const int MaxValueDepth = 64;
}
