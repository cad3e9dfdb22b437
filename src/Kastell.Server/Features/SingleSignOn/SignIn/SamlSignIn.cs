using System.Security.Claims;
using System.Text.RegularExpressions;
using Kastell.Saml;
using Kastell.Server.Features.SingleSignOn.Saml;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// SAML 2.0 sign-in through a connection (ADR 0013, 0020), SP-initiated only. Start: an AuthnRequest of the
/// HTTP-Redirect binding; its id is stored (one row, <see cref="SamlRequest"/>) and handed to this browser in a
/// cookie. Answer: the identity provider posts its response to the connection's ACS URL (HTTP-POST binding, a
/// cross-site post and so without Kastell's antiforgery token: what binds it to this browser is the request id in the
/// cookie, which must match a stored request — deleted on arrival, so it answers once — and the response's signed
/// InResponseTo). <see cref="SamlResponseValidator"/> checks it with the pinned certificates only, audience (the
/// connection's SP entity id), destination and recipient (the ACS URL), the time window, and records the assertion id
/// (<see cref="DatabaseSamlReplayStore"/>). A valid subject then takes the OpenID Connect path
/// (<see cref="CompleteSsoSignIn"/>): returning person by NameID at this connection, just-in-time account only in the
/// organization's verified domains, never linked by e-mail, MFA from the identity provider only when its
/// AuthnContextClassRef is one the organization mapped. An unsolicited response (IdP-initiated sign-in) is refused.
/// Every refusal is audited with the library's reason; the person sees a neutral page.
/// </summary>
internal sealed partial class SamlSignIn(
    KastellDbContext db,
    SamlParties parties,
    DatabaseSamlReplayStore replayStore,
    CompleteSsoSignIn complete,
    IAuditLog audit,
    TimeProvider time)
{
    public const string CookieName = "kastell-saml-request";
    public const string CookiePath = "/sso/saml";
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Attributes an e-mail address may come in (the common names of LDAP, eduPerson, ADFS/Entra and plain).</summary>
    private static readonly string[] EmailAttributes =
        ["email", "mail", "emailAddress", "urn:oid:0.9.2342.19200300.100.1.3", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"];

    private static readonly string[] NameAttributes =
        ["displayName", "name", "cn", "urn:oid:2.16.840.1.113730.3.1.241", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"];

    private const string EmailNameIdFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

    /// <summary>Sends the browser to the identity provider with a new AuthnRequest (the tenant is entered).</summary>
    public async Task<IResult> StartAsync(HttpContext context, SsoConnection connection)
    {
        var now = time.GetUtcNow();
        await db.SamlRequests.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(context.RequestAborted);
        var request = SamlAuthnRequestBuilder.CreateRedirect(parties.ServiceProvider(connection), SamlParties.IdentityProvider(connection), time,
            new SamlAuthnRequestOptions { NameIdFormat = EmailNameIdFormat });
        db.SamlRequests.Add(new SamlRequest { Id = request.RequestId, OrganizationId = connection.OrganizationId, ConnectionId = connection.Id, ExpiresAt = now + RequestLifetime });
        await db.SaveChangesAsync(context.RequestAborted);
        // SameSite=None: the identity provider's form posts the answer cross-site, and only this cookie ties it to
        // the browser that asked (a response captured or made for another browser finds no request here).
        context.Response.Cookies.Append(CookieName, request.RequestId, CookieOptions());
        return Results.Redirect(request.Url);
    }

    /// <summary>The identity provider's answer at the ACS URL (the tenant is entered, the connection is SAML and enabled).</summary>
    public async Task<IResult> ConsumeAsync(HttpContext context, SsoConnection connection)
    {
        var cancellationToken = context.RequestAborted;
        var requestId = context.Request.Cookies[CookieName];
        context.Response.Cookies.Delete(CookieName, new CookieOptions { HttpOnly = true, Secure = true, SameSite = SameSiteMode.None, Path = CookiePath });
        IReadOnlyCollection<string> outstanding = [];
        if (requestId is { Length: > 0 and <= SamlRequest.MaxIdLength })
        {
            // Deleted whatever the outcome: a request is answered once.
            var now = time.GetUtcNow();
            var spent = await db.SamlRequests.Where(r => r.Id == requestId && r.ConnectionId == connection.Id && r.ExpiresAt > now).ExecuteDeleteAsync(cancellationToken);
            outstanding = spent == 1 ? [requestId] : [];
        }

        var samlResponse = await SamlResponseOfAsync(context.Request, cancellationToken);
        if (samlResponse.Length == 0)
        {
            return await RefuseAsync(connection, "saml-response-missing", null, cancellationToken);
        }

        var validator = new SamlResponseValidator(parties.ServiceProvider(connection), SamlParties.IdentityProvider(connection), new SamlSecurityOptions(), replayStore, time);
        var result = await validator.ValidateAsync(samlResponse, outstanding, cancellationToken);
        if (result.Principal is not { } principal)
        {
            return await RefuseAsync(connection, ReasonOf(result.Refusal!.Reason), result.Refusal, cancellationToken);
        }

        var outcome = await complete.RunAsync(ExternalPrincipal(principal), connection.OrganizationId, connection.Id, cancellationToken);
        return SsoSignInEndpoints.Redirect(outcome, complete.RefusalReason);
    }

    /// <summary>The posted <c>SAMLResponse</c>, or empty when the body is no form (or a broken one).</summary>
    private static async Task<string> SamlResponseOfAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return "";
        }

        try
        {
            return (await request.ReadFormAsync(cancellationToken))["SAMLResponse"].ToString();
        }
        catch (InvalidDataException)
        {
            return "";
        }
    }

    /// <summary>
    /// The validated subject as the claims <see cref="CompleteSsoSignIn"/> reads: <c>sub</c> is the NameID (the
    /// connection pins one issuer, so NameID and connection name the person), <c>email</c> from an e-mail attribute or
    /// an e-mail NameID, <c>acr</c> the AuthnContextClassRef. SAML has no <c>email_verified</c>: the address is as good as
    /// the signature of the provider the organization connected, and an account is created only in a domain the
    /// organization verified.
    /// </summary>
    internal static ClaimsPrincipal ExternalPrincipal(SamlPrincipal principal)
    {
        var identity = new ClaimsIdentity("saml");
        identity.AddClaim(new Claim("sub", principal.NameId));
        var email = First(principal, EmailAttributes) ?? (principal.NameIdFormat == EmailNameIdFormat ? principal.NameId : null);
        if (email is not null)
        {
            identity.AddClaim(new Claim("email", email));
            identity.AddClaim(new Claim("email_verified", "true"));
        }

        if (First(principal, NameAttributes) is { } name)
        {
            identity.AddClaim(new Claim("name", name));
        }

        if (principal.AuthnContextClassRef is { Length: > 0 } context)
        {
            identity.AddClaim(new Claim("acr", context));
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The audit reason of a library refusal: <c>saml-</c> and the reason's name in kebab case.</summary>
    internal static string ReasonOf(SamlRefusalReason reason) => "saml-" + Words().Replace(reason.ToString(), "-$1").TrimStart('-').ToLowerInvariant();

    private static string? First(SamlPrincipal principal, string[] names) =>
        names.Select(n => principal.Attributes.FirstOrDefault(a => string.Equals(a.Name, n, StringComparison.OrdinalIgnoreCase) && a.Values.Count > 0))
            .FirstOrDefault(a => a is not null)?.Values[0].Trim() is { Length: > 0 } value ? value : null;

    private async Task<IResult> RefuseAsync(SsoConnection connection, string reason, SamlRefusal? refusal, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string> { ["connection"] = connection.Id.ToString(), ["reason"] = reason };
        if (refusal is not null)
        {
            // The library's code and its short detail (cleaned, shortened; never the response itself).
            details["code"] = ((int)refusal.Reason).ToString(System.Globalization.CultureInfo.InvariantCulture);
            details["detail"] = refusal.Detail;
        }

        await audit.RecordNowAsync(new(SingleSignOnEvents.SsoSignInRefused, AuditActor.Anonymous, new AuditTarget("sso_connection", connection.Id.ToString()), AuditOutcome.Failed, details), cancellationToken);
        // A response no request of this browser asked for (IdP-initiated, or captured elsewhere) gets its own message.
        var unsolicited = refusal?.Reason is SamlRefusalReason.UnsolicitedResponse or SamlRefusalReason.UnknownInResponseTo;
        return Results.LocalRedirect(SsoSignInEndpoints.PagePath + (unsolicited ? "?refused=unsolicited" : "?failed=1"));
    }

    private static CookieOptions CookieOptions() => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.None,
        Path = CookiePath,
        MaxAge = RequestLifetime,
        IsEssential = true,
    };

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Words();
}
