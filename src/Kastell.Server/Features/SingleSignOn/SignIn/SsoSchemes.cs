using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// One authentication scheme per connection (<c>sso-{organization}-{connection}</c>), each the framework's
/// <see cref="OpenIdConnectHandler"/> with its own options (<see cref="SsoOidcOptionsSetup"/>) and callback path.
/// Schemes are added on demand — when a sign-in starts and when a callback arrives — so a connection added by another
/// process, or before a restart, works without any registration step; removing a connection drops its scheme and
/// the cached options (with its discovery document and keys).
/// </summary>
public sealed class SsoSchemes(IAuthenticationSchemeProvider schemes, IOptionsMonitorCache<OpenIdConnectOptions> options)
{
    private const string Prefix = "sso-";

    public async Task<string> EnsureAsync(Guid organizationId, Guid connectionId)
    {
        var name = SsoConnection.SchemeNameOf(organizationId, connectionId);
        if (await schemes.GetSchemeAsync(name) is null)
        {
            schemes.TryAddScheme(new AuthenticationScheme(name, displayName: null, typeof(OpenIdConnectHandler)));
        }

        return name;
    }

    public void Forget(Guid organizationId, Guid connectionId)
    {
        var name = SsoConnection.SchemeNameOf(organizationId, connectionId);
        schemes.RemoveScheme(name);
        options.TryRemove(name);
    }

    /// <summary>The organization and connection a scheme name stands for.</summary>
    public static bool TryRead(string? name, out Guid organizationId, out Guid connectionId)
    {
        organizationId = connectionId = Guid.Empty;
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = name[Prefix.Length..].Split('-');
        return parts.Length == 2
            && Guid.TryParseExact(parts[0], "N", out organizationId)
            && Guid.TryParseExact(parts[1], "N", out connectionId);
    }

    internal static string Format(Guid id) => id.ToString("N", CultureInfo.InvariantCulture);
}
