using Kastell.Server.Features.SingleSignOn.Connections;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Http.Outbound;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// The options of a connection's scheme, from its row: the framework's handler then does discovery, the code flow
/// with PKCE, <c>state</c> (correlation cookie) and <c>nonce</c>, and validates the ID token — issuer, audience,
/// signature with the keys of <c>jwks_uri</c> (fetched again when an unknown <c>kid</c> arrives: key rotation),
/// lifetime, <c>iat</c>, nonce. Kastell only narrows it: asymmetric signature algorithms only (so <c>alg: none</c> and
/// an HMAC keyed with the public key are refused), a small clock skew, claims kept under their JWT names.
/// </summary>
internal sealed class SsoOidcOptionsSetup(TenantScopes scopes, IssuerUrls urls, EmailLinks links) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    public const string CompletePath = "/sso/complete";

    /// <summary>Which scheme validated the external principal: completion accepts it only for the connection it started with.</summary>
    public const string SchemeClaim = "kastell:sso:scheme";

    public void Configure(OpenIdConnectOptions options)
    {
    }

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        if (!SsoSchemes.TryRead(name, out var organizationId, out var connectionId))
        {
            return;
        }

        // Options are built synchronously; the lookup is one row by key, once per connection and process.
        using var scope = scopes.Enter(organizationId, AuditActor.System("sso"));
        var connection = scope.Db.SsoConnections.SingleOrDefault(c => c.Id == connectionId && c.Protocol == SsoProtocol.Oidc)
            ?? throw new InvalidOperationException($"No single sign-on connection {connectionId}.");
        if (!urls.IsAcceptable(connection.Issuer, out var issuer))
        {
            throw new InvalidOperationException($"The issuer of connection {connectionId} is not acceptable.");
        }

        options.Authority = connection.Issuer;
        options.MetadataAddress = connection.Issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        options.RequireHttpsMetadata = urls.RequiresHttps(issuer);
        options.ClientId = connection.ClientId;
        options.ClientSecret = connection.ClientSecret;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.UsePkce = true;
        options.CallbackPath = connection.CallbackPath;
        // Metadata, keys and the token request go to the provider's addresses: public ones only (SSRF), each vetted
        // when it connects. Loopback only where a provider on this machine is allowed (tests, development).
        options.BackchannelHttpHandler = PublicOnlyHttp.CreateHandler(urls.AllowsLoopbackHttp);
        options.SignInScheme = IdentityConstants.ExternalScheme;
        options.Scope.Clear();
        options.Scope.Add("openid");
        options.Scope.Add("email");
        options.Scope.Add("profile");
        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.DisableTelemetry = true;
        options.ClaimActions.Remove("acr"); // deleted by default, but the organization's MFA mapping reads it
        options.ProtocolValidator.RequireNonce = true;
        options.ProtocolValidator.RequireSub = true;
        options.TokenValidationParameters.ValidIssuer = connection.Issuer;
        options.TokenValidationParameters.ValidAudience = connection.ClientId;
        options.TokenValidationParameters.ValidAlgorithms = OidcDiscovery.AsymmetricAlgorithms;
        options.TokenValidationParameters.RequireSignedTokens = true;
        options.TokenValidationParameters.RequireExpirationTime = true;
        options.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(2);
        options.TokenValidationParameters.NameClaimType = "email";
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
        options.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
        // The handler lets an ID token from the token endpoint go unsigned (OIDC Core 3.1.3.7 allows trusting TLS
        // there; dotnet/aspnetcore#37549). Kastell does not: the token must carry an asymmetric signature, which
        // the handler has then verified against the provider's keys.
        options.Events.OnTokenValidated = context =>
        {
            if (context.SecurityToken is not { } token || !OidcDiscovery.AsymmetricAlgorithms.Contains(token.Header.Alg) || string.IsNullOrEmpty(token.RawSignature))
            {
                context.Fail(new SecurityTokenInvalidAlgorithmException("The ID token is not signed with an accepted asymmetric algorithm."));
            }

            return Task.CompletedTask;
        };
        // The redirect URI is Kastell's configured public address, never the request's Host header (which the
        // client chooses): the handler keeps the value set here and sends the same one when it redeems the code.
        var redirectUri = links.To(connection.CallbackPath);
        options.Events.OnRedirectToIdentityProvider = context =>
        {
            context.ProtocolMessage.RedirectUri = redirectUri;
            return Task.CompletedTask;
        };
        options.Events.OnRemoteFailure = context => SsoRefusals.OnRemoteFailureAsync(context, organizationId, connectionId);
        options.Events.OnTicketReceived = context =>
        {
            // Where the handler goes after a valid response is fixed here, never taken from the request.
            context.ReturnUri = CompletePath;
            if (context.Principal?.Identity is System.Security.Claims.ClaimsIdentity identity)
            {
                // A provider could put a claim of that name into its token: only Kastell's own counts.
                foreach (var claim in identity.FindAll(SchemeClaim).ToList())
                {
                    identity.RemoveClaim(claim);
                }

                identity.AddClaim(new System.Security.Claims.Claim(SchemeClaim, context.Scheme.Name));
            }

            return Task.CompletedTask;
        };
    }
}
