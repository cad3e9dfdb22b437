using System.Text;

namespace Kastell.Server.Platform.Http;

/// <summary>Return addresses taken from a request: only paths on this site, never another host (open redirect).</summary>
public static class LocalUrls
{
    /// <summary>
    /// True for <c>/path</c>; false for <c>//host</c>, <c>/\host</c>, absolute URLs, empty input and anything with a
    /// control character (it cannot go into a <c>Location</c> header: the server would throw).
    /// </summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    /// <summary>
    /// <paramref name="url"/> when it is local, otherwise <paramref name="fallback"/>; characters beyond ASCII are
    /// percent-encoded (UTF-8), as a header value must be ASCII.
    /// </summary>
    public static string OrDefault(string? url, string fallback = "/") => IsLocal(url) ? EscapeNonAscii(url!) : fallback;

    private static string EscapeNonAscii(string url)
    {
        if (url.All(char.IsAscii))
        {
            return url;
        }

        var escaped = new StringBuilder(url.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                escaped.Append((char)rune.Value);
                continue;
            }

            // A lone surrogate enumerates as U+FFFD, so every rune encodes.
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }
}
