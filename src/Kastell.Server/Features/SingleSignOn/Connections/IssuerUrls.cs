using System.Net;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.SingleSignOn.Connections;

/// <summary>
/// Which issuer and endpoint URLs Kastell talks to: absolute https URLs without credentials or fragment; plain http only
/// to a loopback address and only where <see cref="SingleSignOnOptions.AllowLoopbackHttpIssuers"/> or the Development
/// environment allows it (a provider on the same machine for development and tests).
/// </summary>
public sealed class IssuerUrls(IOptions<SingleSignOnOptions> options, IHostEnvironment environment)
{
    public bool AllowsLoopbackHttp => options.Value.AllowLoopbackHttpIssuers || environment.IsDevelopment();

    public bool IsAcceptable(string? value, out Uri uri)
    {
        uri = null!;
        if (string.IsNullOrWhiteSpace(value) || value.Length > SsoConnection.MaxIssuerLength
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var parsed)
            || !string.IsNullOrEmpty(parsed.UserInfo) || !string.IsNullOrEmpty(parsed.Fragment) || !string.IsNullOrEmpty(parsed.Query))
        {
            return false;
        }

        var ok = parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && AllowsLoopbackHttp && IsLoopback(parsed));
        uri = parsed;
        return ok;
    }

    /// <summary>
    /// A SAML identity provider's sign-in address, where Kastell sends the browser: absolute https without user info or
    /// fragment (a query is allowed, as some providers route by it), or http on loopback where a test provider is allowed.
    /// </summary>
    public bool IsSignInAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var parsed) && string.IsNullOrEmpty(parsed.UserInfo) && string.IsNullOrEmpty(parsed.Fragment)
        && (parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && AllowsLoopbackHttp && IsLoopback(parsed)));

    /// <summary>Whether the backchannel may use plain http for this issuer (metadata, keys, token endpoint).</summary>
    public bool RequiresHttps(Uri issuer) => !(issuer.Scheme == Uri.UriSchemeHttp && AllowsLoopbackHttp && IsLoopback(issuer));

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback && (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 ? IPAddress.IsLoopback(IPAddress.Parse(uri.IdnHost.Trim('[', ']'))) : uri.IdnHost == "localhost");
}
