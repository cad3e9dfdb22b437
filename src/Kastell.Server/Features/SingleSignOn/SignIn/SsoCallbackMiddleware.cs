using System.Text.RegularExpressions;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// Hands a provider's callback (<c>/sso/oidc/{organization}/{connection}/callback</c>) to its connection's handler when
/// the authentication middleware did not: schemes are added on demand, so after a restart, or in a second process, the
/// first callback may arrive before this process knows the scheme. Not an endpoint: the handler answers it (redirect
/// to completion, or a refusal), exactly as when the scheme was already loaded. The connection must exist and be
/// enabled before a scheme is added: a callback address anyone can make up must not add schemes (nor fail).
/// </summary>
internal sealed partial class SsoCallbackMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, SsoSchemes schemes, IAuthenticationHandlerProvider handlers, TenantScopes scopes)
    {
        if (HttpMethods.IsGet(context.Request.Method) && Callback().Match(context.Request.Path.Value ?? "") is { Success: true } match
            && Guid.TryParseExact(match.Groups[1].Value, "N", out var organizationId) && Guid.TryParseExact(match.Groups[2].Value, "N", out var connectionId)
            && await UsableAsync(scopes, organizationId, connectionId, context.RequestAborted))
        {
            var scheme = await schemes.EnsureAsync(organizationId, connectionId);
            if (await handlers.GetHandlerAsync(context, scheme) is IAuthenticationRequestHandler handler && await handler.HandleRequestAsync())
            {
                return;
            }
        }

        await next(context);
    }

    private static async Task<bool> UsableAsync(TenantScopes scopes, Guid organizationId, Guid connectionId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.Enter(organizationId, AuditActor.System("sso"));
        return await scope.Db.SsoConnections.AnyAsync(c => c.Id == connectionId && c.Enabled && c.Protocol == SsoProtocol.Oidc, cancellationToken);
    }

    [GeneratedRegex("^/sso/oidc/([0-9a-f]{32})/([0-9a-f]{32})/callback$")]
    private static partial Regex Callback();
}
