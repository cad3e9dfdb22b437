using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// The three steps of a sign-in through a connection: start (the form on <c>/account/sign-in/sso</c> takes a work
/// e-mail address, whose verified domain names the organization — home-realm discovery — or the organization's short
/// name; the connection's scheme challenges, i.e. redirects to the provider), the provider's callback (handled
/// by the scheme's handler, <see cref="SsoCallbackMiddleware"/>) and completion (the validated external principal becomes a session).
/// A SAML connection starts with an AuthnRequest instead and is answered at its ACS URL (<see cref="SamlSignIn"/>).
/// </summary>
internal static class SsoSignInEndpoints
{
    public const string PagePath = "/account/sign-in/sso";
    public const string StartPath = "/sso/start";
    private const string OrganizationItem = "kastell:sso:organization";
    private const string ConnectionItem = "kastell:sso:connection";

    public static void Map(IEndpointRouteBuilder root)
    {
        root.MapPost(StartPath, StartAsync).WithName("StartSsoSignIn").RequireValidAntiforgeryToken();

        // Not a form: the browser arrives by redirect from the handler with the external cookie. A GET that signs in,
        // audited as SsoSignInSucceeded or SsoSignInRefused.
        root.MapGet(SsoOidcOptionsSetup.CompletePath, CompleteAsync).WithName("CompleteSsoSignIn");

        // SAML's HTTP-POST binding: the identity provider's page posts the response cross-site, so there is no
        // antiforgery token; the request id in the browser's cookie, the stored request and the signed InResponseTo
        // bind the answer to the browser that asked (SamlSignIn). Audited as SsoSignInSucceeded or SsoSignInRefused.
        root.MapPost(AssertionConsumerRoute, ConsumeSamlAsync).WithName("SamlAssertionConsumer").DisableAntiforgery();
    }

    public const string AssertionConsumerRoute = "/sso/saml/{organization:guid}/{connection:guid}/acs";

    /// <summary>Where the browser goes after <see cref="CompleteSsoSignIn"/> (the OpenID Connect and the SAML path alike).</summary>
    internal static IResult Redirect(SsoSignInOutcome outcome, string? refusalReason) => outcome switch
    {
        SsoSignInOutcome.SignedIn => Results.LocalRedirect("/"),
        SsoSignInOutcome.RequiresSecondFactor => Results.LocalRedirect("/account/sign-in/mfa"),
        SsoSignInOutcome.SignedInNeedsEnrolment => Results.LocalRedirect("/account/mfa/setup"),
        _ => Results.LocalRedirect(PagePath + "?refused=" + Uri.EscapeDataString(refusalReason ?? "failed")),
    };

    private static async Task<IResult> ConsumeSamlAsync(Guid organization, Guid connection, HttpContext context, KastellDbContext db, Tenant tenant, SamlSignIn saml)
    {
        tenant.Enter(organization);
        var row = await db.SsoConnections.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == connection && c.Enabled && c.Protocol == SsoProtocol.Saml, context.RequestAborted);
        // A made-up or removed connection: nothing to answer for, as with a made-up OpenID Connect callback.
        return row is null ? Results.NotFound() : await saml.ConsumeAsync(context, row);
    }

    private static async Task<IResult> StartAsync(HttpContext context, KastellDbContext db, Tenant tenant, SsoSchemes schemes, IHomeRealmDiscovery homeRealm, SamlSignIn saml)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var named = form["organization"].ToString().Trim();
        Guid? organizationId = null;
        if (named.Contains('@', StringComparison.Ordinal))
        {
            organizationId = named.Length <= 254 ? await homeRealm.OrganizationForEmailAsync(named, context.RequestAborted) : null;
        }
        else if (named.Length is > 0 and <= 100)
        {
            var slug = named.ToLowerInvariant();
            var id = await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleOrDefaultAsync(context.RequestAborted);
            organizationId = id == Guid.Empty ? null : id;
        }

        // The same answer, after the same queries, for an unknown address or organization and one without single
        // sign-on: neither the answer nor the time it takes tells whether a domain or an organization exists.
        tenant.Enter(organizationId ?? Guid.Empty);
        var connection = await db.SsoConnections.AsNoTracking()
            .Where(c => c.Enabled)
            .OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(context.RequestAborted);
        if (organizationId is not { } organization || connection is null)
        {
            return Results.LocalRedirect(PagePath + "?unknown=1");
        }

        if (connection.Protocol == SsoProtocol.Saml)
        {
            return await saml.StartAsync(context, connection);
        }

        var scheme = await schemes.EnsureAsync(organization, connection.Id);
        var properties = new AuthenticationProperties { RedirectUri = SsoOidcOptionsSetup.CompletePath };
        properties.Items[OrganizationItem] = SsoSchemes.Format(organization);
        properties.Items[ConnectionItem] = SsoSchemes.Format(connection.Id);
        return Results.Challenge(properties, [scheme]);
    }

    private static async Task<IResult> CompleteAsync(HttpContext context, CompleteSsoSignIn complete, IAuditLog audit)
    {
        var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!external.Succeeded || external.Properties is not { } properties
            || !properties.Items.TryGetValue(OrganizationItem, out var organization) || !Guid.TryParseExact(organization, "N", out var organizationId)
            || !properties.Items.TryGetValue(ConnectionItem, out var connection) || !Guid.TryParseExact(connection, "N", out var connectionId)
            || external.Principal.FindFirst(SsoOidcOptionsSetup.SchemeClaim)?.Value != SsoConnection.SchemeNameOf(organizationId, connectionId))
        {
            // No organization to name: recorded on the system chain (a stale or forged completion, or a replayed link).
            await audit.RecordNowAsync(new(SingleSignOnEvents.SsoSignInRefused, AuditActor.Anonymous, new AuditTarget("sso_connection", null), AuditOutcome.Failed,
                new Dictionary<string, string> { ["reason"] = "no-external-sign-in" }), context.RequestAborted);
            return Results.LocalRedirect(PagePath + "?failed=1");
        }

        var outcome = await complete.RunAsync(external.Principal, organizationId, connectionId, context.RequestAborted);
        return Redirect(outcome, complete.RefusalReason);
    }
}
