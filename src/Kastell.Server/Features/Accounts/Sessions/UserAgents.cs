using System.Text.RegularExpressions;

namespace Kastell.Server.Features.Accounts.Sessions;

/// <summary>A browser and its operating system as a person names them.</summary>
internal sealed record BrowserAndSystem(string? Browser, string? System);

/// <summary>
/// Reads the browser (with its major version) and the operating system from a User-Agent header, for the session
/// list: "Firefox 128 · Linux" tells someone whether a session is theirs, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0)
/// Gecko/20100101 Firefox/128.0" does not. Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
/// The header is client input: unknown or odd values give nulls, never an exception.
/// </summary>
internal static partial class UserAgents
{
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg", "Edge"), ("EdgiOS", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"), ("FxiOS", "Firefox"),
        ("HeadlessChrome", "Chrome (headless)"), ("CriOS", "Chrome"), ("Chromium", "Chromium"), ("Chrome", "Chrome"),
    ];

    public static BrowserAndSystem Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return new(null, null);
        }

        return new(Browser(userAgent), OperatingSystem(userAgent));
    }

    private static string? Browser(string userAgent)
    {
        foreach (var (token, name) in Browsers)
        {
            if (Version(userAgent, token) is { } version)
            {
                return $"{name} {version}";
            }
        }

        // Safari names its version in "Version/17.4" and only a build number in "Safari/605.1.15".
        if (userAgent.Contains("Safari/", StringComparison.Ordinal) && Version(userAgent, "Version") is { } safari)
        {
            return $"Safari {safari}";
        }

        return ToolName().Match(userAgent) is { Success: true } tool && !tool.Groups[1].Value.Equals("Mozilla", StringComparison.Ordinal)
            ? $"{tool.Groups[1].Value} {tool.Groups[2].Value}"
            : null;
    }

    private static string? OperatingSystem(string userAgent) => userAgent switch
    {
        _ when userAgent.Contains("iPhone", StringComparison.Ordinal) => "iOS (iPhone)",
        _ when userAgent.Contains("iPad", StringComparison.Ordinal) => "iPadOS",
        _ when userAgent.Contains("Android", StringComparison.Ordinal) => "Android",
        _ when userAgent.Contains("Windows", StringComparison.Ordinal) => "Windows",
        _ when userAgent.Contains("CrOS", StringComparison.Ordinal) => "ChromeOS",
        _ when userAgent.Contains("Mac OS X", StringComparison.Ordinal) || userAgent.Contains("Macintosh", StringComparison.Ordinal) => "macOS",
        _ when userAgent.Contains("Linux", StringComparison.Ordinal) || userAgent.Contains("X11", StringComparison.Ordinal) => "Linux",
        _ => null,
    };

    /// <summary>The major version after "<paramref name="token"/>/", or null when the token is not there.</summary>
    private static string? Version(string userAgent, string token)
    {
        var match = Regex.Match(userAgent, $@"(?<![A-Za-z]){Regex.Escape(token)}/(\d{{1,5}})", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>A non-browser client such as "curl/8.5.0" or "python-requests/2.31".</summary>
    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9._-]{0,30})/(\d{1,5})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex ToolName();
}
