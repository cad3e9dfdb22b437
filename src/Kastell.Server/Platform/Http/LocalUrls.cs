namespace Kastell.Server.Platform.Http;

/// <summary>Return addresses taken from a request: only paths on this site, never another host (open redirect).</summary>
public static class LocalUrls
{
    /// <summary>True for <c>/path</c>; false for <c>//host</c>, <c>/\host</c>, absolute URLs and empty input.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    /// <summary><paramref name="url"/> when it is local, otherwise <paramref name="fallback"/>.</summary>
    public static string OrDefault(string? url, string fallback = "/") => IsLocal(url) ? url! : fallback;
}
