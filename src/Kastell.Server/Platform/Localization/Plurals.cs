using Microsoft.Extensions.Localization;

namespace Kastell.Server.Platform.Localization;

/// <summary>
/// Texts with a count, as real plural forms instead of "code(s)" or "Sitzung(en)": a key <c>X</c> with a count has
/// the texts <c>X.one</c> (exactly 1) and <c>X.other</c>, and optionally <c>X.zero</c> where "none" reads better than
/// "0 …". English and German share these categories (CLDR: one for 1, other for everything else); the count is the
/// first format argument. The string tables refuse a <c>.one</c> without its <c>.other</c> and the other way round.
/// </summary>
public static class Plurals
{
    public const string One = ".one";
    public const string Other = ".other";
    public const string Zero = ".zero";

    public static LocalizedString Plural(this IStringLocalizer text, string key, long count, params object[] more)
    {
        object[] arguments = [count, .. more];
        if (count == 0 && text[key + Zero] is { ResourceNotFound: false })
        {
            return text[key + Zero, arguments];
        }

        return text[key + (count == 1 ? One : Other), arguments];
    }
}
