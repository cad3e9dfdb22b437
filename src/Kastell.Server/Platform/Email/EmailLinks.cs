using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// Absolute links for e-mails, always on the configured public base URL — never on the request's Host header, which
/// an attacker controls (a reset link pointing at their server would hand them the token).
/// </summary>
public sealed class EmailLinks(IOptions<EmailOptions> options)
{
    public string To(string pathAndQuery)
    {
        var baseUrl = options.Value.PublicBaseUrl!.TrimEnd('/');
        return baseUrl + pathAndQuery;
    }

    public static string Query(string path, params (string Name, string Value)[] parameters) =>
        path + "?" + string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
}
