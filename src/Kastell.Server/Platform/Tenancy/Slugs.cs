using System.Text;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>URL segments for organizations and spaces: lower-case ASCII letters, digits and single hyphens.</summary>
internal static class Slugs
{
    public const int MaxLength = 63;

    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            var piece = c switch
            {
                'ä' => "ae",
                'ö' => "oe",
                'ü' => "ue",
                'ß' => "ss",
                >= 'a' and <= 'z' or >= '0' and <= '9' => c.ToString(),
                _ => "-",
            };
            builder.Append(piece);
        }

        var slug = string.Join('-', builder.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries));
        if (slug.Length > MaxLength - 5)
        {
            slug = slug[..(MaxLength - 5)].TrimEnd('-');
        }

        return slug.Length == 0 ? "org" : slug;
    }

    public static bool IsValid(string? slug) =>
        slug is { Length: > 0 and <= MaxLength }
        && slug.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')
        && !slug.StartsWith('-') && !slug.EndsWith('-') && !slug.Contains("--", StringComparison.Ordinal);
}
