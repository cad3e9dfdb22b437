using System.Globalization;
using System.Text;

namespace Kastell.Server.Features.Files;

/// <summary>
/// A file's display and download name from what a client sent. Never a path: storage names files by their id, and
/// the name only labels the download — but a name like <c>..\..\evil.exe</c> or one hiding its real extension behind
/// a right-to-left override would mislead whoever saves it, so only the last path segment is kept, without control
/// and format characters or characters that file systems reject.
/// </summary>
internal static class FileNames
{
    public const int MaxLength = 255;
    public const string Fallback = "file";

    public static string Clean(string? name)
    {
        var last = (name ?? "").Replace('\\', '/');
        last = last[(last.LastIndexOf('/') + 1)..];
        var clean = new StringBuilder(last.Length);
        foreach (var rune in last.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }

            if (clean.Length + rune.Utf16SequenceLength > MaxLength)
            {
                break;
            }

            clean.Append(rune.Value is '"' or ':' or '*' or '?' or '<' or '>' or '|' ? "_" : rune.ToString());
        }

        // Leading dots would hide the file or name a directory ("." and ".."); trailing dots and spaces vanish on Windows.
        var result = clean.ToString().Trim().TrimStart('.').TrimEnd('.', ' ');
        return result.Length == 0 ? Fallback : result;
    }
}
