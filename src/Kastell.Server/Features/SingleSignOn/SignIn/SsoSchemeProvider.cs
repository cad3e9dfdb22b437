using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// The framework's scheme provider, but the connections' schemes are not request handlers: the authentication
/// middleware builds a handler for every request-handling scheme on every request, so each loaded connection would
/// cost every request a handler, and one whose options cannot be built (a connection removed by another process, an
/// issuer no longer acceptable) would fail every request of the site. Their callbacks reach them through
/// <see cref="SsoCallbackMiddleware"/> only.
/// </summary>
internal sealed class SsoSchemeProvider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
{
    public override async Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() =>
        (await base.GetRequestHandlerSchemesAsync()).Where(s => !SsoSchemes.TryRead(s.Name, out _, out _));
}
