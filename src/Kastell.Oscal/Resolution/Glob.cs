namespace Kastell.Oscal.Resolution;

/// <summary>
/// The glob patterns of <c>matching/pattern</c>: <c>*</c> matches any run of characters, <c>?</c> one character,
/// everything else itself (ordinal). No regular expressions, so a hostile pattern cannot backtrack exponentially:
/// matching is O(pattern × id) at worst.
/// </summary>
internal static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
