using System.Globalization;
using System.Text;

namespace Kastell.Server.Features.Accounts.Email;

/// <summary>
/// Text someone chose (a display name, an organization name) as it may appear in a mail to somebody else: one line,
/// no control or bidirectional-override characters (which could make it read as something else), and at most
/// <see cref="MaxLength"/> characters, so it can be a name but never a message of its own.
/// </summary>
internal static class ChosenText
{
    public const int MaxLength = 60;

    public static string ForMail(string text)
    {
        var clean = new StringBuilder(Math.Min(text.Length, MaxLength + 1));
        var space = false;
        foreach (var c in text.Trim())
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = clean.Length > 0;
                continue;
            }

            if (category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                continue; // bidi overrides, zero-width characters and the like
            }

            if (space)
            {
                clean.Append(' ');
                space = false;
            }

            clean.Append(c);
        }

        var result = clean.ToString();
        var info = new StringInfo(result);
        return info.LengthInTextElements <= MaxLength ? result : info.SubstringByTextElements(0, MaxLength - 1).TrimEnd() + "…";
    }
}
