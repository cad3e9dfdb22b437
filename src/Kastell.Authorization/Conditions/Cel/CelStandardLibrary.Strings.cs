using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Kastell.Authorization.Conditions.Cel;

internal static partial class CelStandardLibrary
{
    private const int RegexCacheCapacity = 256;

    [GeneratedRegex(@"((?:^|[^\\])(?:\\\\)*)\(\?P<", RegexOptions.CultureInvariant)]
    private static partial Regex Re2NamedGroup();

    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);

    private static void AddStrings(
        Action<string, CelType[], CelType, Func<object[], object>> member,
        Action<string, CelType[], CelType, Func<object[], object>> global)
    {
        global("matches", [S, S], B, a => Matches((string)a[0], (string)a[1]));
        member("contains", [S, S], B, a => ((string)a[0]).Contains((string)a[1], StringComparison.Ordinal));
        member("startsWith", [S, S], B, a => ((string)a[0]).StartsWith((string)a[1], StringComparison.Ordinal));
        member("endsWith", [S, S], B, a => ((string)a[0]).EndsWith((string)a[1], StringComparison.Ordinal));
        member("matches", [S, S], B, a => Matches((string)a[0], (string)a[1]));
    }

    /// <summary>
    /// RE2 semantics as far as .NET allows: an unanchored search, evaluated by the non-backtracking engine
    /// (linear time, and it rejects backreferences and lookaround just as RE2 does) under a timeout as a second guard.
    /// </summary>
    internal static object Matches(string input, string pattern)
    {
        if (pattern.Length > CelLimits.MaxRegexLength)
        {
            return new CelError($"regular expression is longer than {CelLimits.MaxRegexLength} characters");
        }

        Regex regex;
        try
        {
            regex = RegexCache.TryGetValue(pattern, out var cached) ? cached : Cache(pattern);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return new CelError($"invalid regular expression '{pattern}': {e.Message}");
        }

        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return new CelError("regular expression evaluation timed out");
        }
    }

    private static Regex Cache(string pattern)
    {
        // RE2 spells named groups (?P<name>...); .NET knows only (?<name>...).
        var dotnetPattern = Re2NamedGroup().Replace(pattern, "$1(?<");
        var regex = new Regex(dotnetPattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, CelLimits.RegexTimeout);
        if (RegexCache.Count >= RegexCacheCapacity)
        {
            // Patterns can come from request context; never let them grow the cache without bound.
            RegexCache.Clear();
        }

        RegexCache[pattern] = regex;
        return regex;
    }
}
