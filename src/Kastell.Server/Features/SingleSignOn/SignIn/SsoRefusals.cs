using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// A response from the provider that the handler refused (bad token, wrong state, an error from the provider):
/// recorded on the organization's chain with a reason drawn from the kind of failure — never the token or the
/// message, which can carry claims — and the browser sent back to the SSO page with a neutral message. No session.
/// </summary>
internal static class SsoRefusals
{
    public const string FailedPage = "/account/sign-in/sso?failed=1";

    public static async Task OnRemoteFailureAsync(RemoteFailureContext context, Guid organizationId, Guid connectionId)
    {
        var services = context.HttpContext.RequestServices;
        services.GetRequiredService<Tenant>().Enter(organizationId);
        await services.GetRequiredService<IAuditLog>().RecordNowAsync(
            Refused(connectionId, ReasonOf(context.Failure), userId: null), context.HttpContext.RequestAborted);
        context.Response.Redirect(FailedPage);
        context.HandleResponse();
    }

    public static AuditEntry Refused(Guid connectionId, string reason, Guid? userId) => new(
        SingleSignOnEvents.SsoSignInRefused,
        AuditActor.Anonymous,
        userId is { } id ? AuditTarget.User(id) : new AuditTarget("sso_connection", connectionId.ToString()),
        AuditOutcome.Failed,
        new Dictionary<string, string> { ["connection"] = connectionId.ToString(), ["reason"] = reason });

    /// <summary>The first recognizable kind in the exception chain.</summary>
    internal static string ReasonOf(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            var reason = e switch
            {
                OpenIdConnectProtocolInvalidNonceException => "nonce-invalid",
                OpenIdConnectProtocolInvalidCHashException or OpenIdConnectProtocolInvalidAtHashException => "hash-invalid",
                SecurityTokenInvalidIssuerException => "issuer-invalid",
                SecurityTokenInvalidAudienceException => "audience-invalid",
                SecurityTokenExpiredException => "token-expired",
                SecurityTokenNotYetValidException => "token-not-yet-valid",
                SecurityTokenNoExpirationException => "token-without-expiry",
                SecurityTokenInvalidAlgorithmException => "algorithm-refused",
                SecurityTokenSignatureKeyNotFoundException => "signing-key-unknown",
                SecurityTokenInvalidSignatureException => "signature-invalid",
                SecurityTokenInvalidLifetimeException => "lifetime-invalid",
                SecurityTokenMalformedException => "token-malformed",
                // IDX21314: a claim the protocol requires (sub, iat, ...) is missing; which one the message does not say reliably.
                OpenIdConnectProtocolException p when p.Message.Contains("IDX21314", StringComparison.Ordinal) => "required-claim-missing",
                OpenIdConnectProtocolException => "protocol-error",
                _ => null,
            };
            if (reason is not null)
            {
                return reason;
            }

            if (e.Message.StartsWith("Correlation failed", StringComparison.Ordinal))
            {
                return "state-invalid";
            }

            if (e.Message.StartsWith("Message contains error", StringComparison.Ordinal) || e.Message.StartsWith("Access was denied", StringComparison.Ordinal))
            {
                return "provider-error";
            }
        }

        return "response-invalid";
    }
}
