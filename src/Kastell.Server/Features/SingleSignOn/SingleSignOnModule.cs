using Kastell.Server.Features.SingleSignOn.Cli;
using Kastell.Server.Features.SingleSignOn.Connections;
using Kastell.Server.Features.SingleSignOn.Saml;
using Kastell.Server.Features.SingleSignOn.SignIn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Outbound;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary>
/// Single sign-on per organization (ADR 0020): owners and admins connect their identity provider (OpenID Connect now,
/// SAML 2.0 on <c>Kastell.Saml</c>, ADR 0013), and their people sign in through it — accounts created just in time as members with the
/// connection's role, the provider's MFA counted when the organization says so.
/// </summary>
public sealed class SingleSignOnModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddKastellOptions<SingleSignOnOptions, SingleSignOnOptionsValidator>(builder.Configuration, SingleSignOnOptions.Section);
        // Issuers are typed by admins: discovery reaches public addresses only (loopback where a test provider is allowed).
        services.AddPublicOnlyHttpClient(OidcDiscovery.HttpClientName, sp => sp.GetRequiredService<IssuerUrls>().AllowsLoopbackHttp);
        services.AddSingleton<IssuerUrls>();
        services.AddScoped<OidcDiscovery>();
        services.AddScoped<SsoConnectionCommands>();
        services.AddScoped<CompleteSsoSignIn>();
        services.AddSingleton<SsoSchemes>();
        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, SsoSchemeProvider>());
        services.AddScoped<IHomeRealmDiscovery, VerifiedDomainHomeRealm>();
        services.AddSingleton<SamlParties>();
        services.AddScoped<DatabaseSamlReplayStore>();
        services.AddScoped<SamlSignIn>();
        // The framework's OpenID Connect handler, without a static scheme: SsoSchemes adds one per connection.
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, SsoOidcOptionsSetup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
    }

    public override void UseAfterAuthentication(IApplicationBuilder app) => app.UseMiddleware<SsoCallbackMiddleware>();

    public override void MapEndpoints(FeatureRoutes routes)
    {
        SsoSignInEndpoints.Map(routes.Root);
        routes.Organization.MapPost("/sso/{connection:guid}/remove", async (Guid connection, HttpContext context, Tenant tenant, CurrentActor actor, SsoConnectionCommands commands) =>
                (await commands.RemoveAsync(connection, actor.Actor, context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(TenantRoutes.OrganizationPath(tenant.RequireOrganization(), "/sso?removed=1"))))
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_sso", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RemoveSsoConnection");
        routes.Organization.MapGet("/sso/{connection:guid}/saml-metadata", DownloadSpMetadataAsync)
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_sso")
            .ReadOnly()
            .WithName("DownloadSamlSpMetadata");
    }

    /// <summary>The SAML service provider metadata of one connection, for the admin to import at the identity provider.</summary>
    private static async Task<IResult> DownloadSpMetadataAsync(Guid connection, HttpContext context, KastellDbContext db, SamlParties saml)
    {
        var row = await db.SsoConnections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connection && c.Protocol == SsoProtocol.Saml, context.RequestAborted);
        return row is null
            ? Results.NotFound()
            : Results.File(System.Text.Encoding.UTF8.GetBytes(saml.Metadata(row)), "application/samlmetadata+xml", $"kastell-sp-{row.Id:N}.xml");
    }

    public override IEnumerable<CliVerb> CreateVerbs() => [new SsoListVerb(), new SsoAddOidcVerb(), new SsoAddSamlVerb(), new SsoSpMetadataVerb(), new SsoRemoveVerb()];
}
