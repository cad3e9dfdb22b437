using System.IO.Compression;

namespace Kastell.Server.Features.Domains;

/// <summary>
/// The Public Suffix List (publicsuffix.org, MPL 2.0), embedded from Debian's <c>publicsuffix</c> package so it works
/// offline: the names under which anyone may register (<c>com</c>, <c>co.uk</c>, <c>github.io</c>). Only the question
/// "is this name a public suffix itself" is answered, with the list's rules: exact rules, wildcards (<c>*.ck</c>) and
/// their exceptions (<c>!www.ck</c>), and every single label (the implicit <c>*</c> rule).
/// </summary>
internal sealed class PublicSuffixList
{
    public static PublicSuffixList Shared { get; } = new();

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("Kastell.PublicSuffixList")
            ?? throw new InvalidOperationException("The embedded public suffix list is missing from the build.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            var rule = line.Trim();
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            // The list holds Unicode rules; Kastell compares A-labels.
            var ascii = ToAscii(rule.TrimStart('!', '*', '.'));
            if (ascii is null)
            {
                continue;
            }

            if (rule.StartsWith('!'))
            {
                _exceptions.Add(ascii);
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add(ascii);
            }
            else
            {
                _rules.Add(ascii);
            }
        }
    }

    public int Count => _rules.Count + _wildcards.Count;

    /// <summary>Whether <paramref name="name"/> (ASCII, lower case) is a public suffix itself.</summary>
    public bool IsPublicSuffix(string name)
    {
        if (!name.Contains('.', StringComparison.Ordinal) || _rules.Contains(name))
        {
            return true;
        }

        var parent = name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..];
        return _wildcards.Contains(parent) && !_exceptions.Contains(name);
    }

    private static string? ToAscii(string rule)
    {
        try
        {
            return new System.Globalization.IdnMapping().GetAscii(rule).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
