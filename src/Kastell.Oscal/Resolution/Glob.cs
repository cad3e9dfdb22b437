namespace Kastell.Oscal.Resolution;

/// <summary>
/// The glob patterns of <c>matching/pattern</c>: <c>*</c> matches any run of characters, <c>?</c> one character,
/// everything else itself (ordinal). No regular expressions, so a hostile pattern cannot backtrack exponentially.
/// A compiled pattern has its runs of <c>*</c> collapsed and knows the shortest id it can match, so a pattern longer than
/// an id is rejected at once: matching costs O(id²) at worst, whatever the pattern's length.
/// </summary>
internal sealed class Glob
{
    private readonly string _pattern;
    private readonly int _minimumLength;

    public Glob(string pattern)
    {
        var collapsed = new System.Text.StringBuilder(Math.Min(pattern.Length, 4096));
        foreach (var c in pattern)
        {
            if (c == '*' && collapsed.Length > 0 && collapsed[^1] == '*')
            {
                continue;
            }

            collapsed.Append(c);
            if (c != '*')
            {
                _minimumLength++;
            }
        }

        _pattern = collapsed.ToString();
    }

    public bool IsMatch(string text)
    {
        if (text.Length < _minimumLength)
        {
            return false;
        }

        var pattern = _pattern;
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
