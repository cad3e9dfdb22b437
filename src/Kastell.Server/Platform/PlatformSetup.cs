using System.Threading.RateLimiting;
using Kastell.Server.Components;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Http.Api.Reference;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Localization;
using Kastell.Server.Platform.Observability;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Siem;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform;

internal static class PlatformSetup
{
    /// <summary>Request bodies above this are refused before any handler reads them.</summary>
    public const long MaxRequestBodyBytes = 1 * 1024 * 1024;

    public static void AddKastellPlatform(this WebApplicationBuilder builder)
    {
        builder.AddKastellLogging();
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddKastellOptions<DataDirectoryOptions, DataDirectoryOptionsValidator>(configuration, DataDirectoryOptions.Section);

        services.AddSingleton(TimeProvider.System);
        services.AddScoped<Tenant>();
        services.AddSingleton<Authorization.KastellModel>();
        services.AddScoped<Authorization.Permissions>();
        services.AddScoped<Authorization.RelationshipWriter>();
        services.AddScoped<Authorization.RelationshipReader>();
        services.AddScoped<Memberships>();
        services.AddScoped<OrganizationFounding>();
        services.AddScoped<CurrentActor>();
        services.AddSingleton<TenantScopes>();
        // Owner-only data folder, database and mail pickup folder, checked before anything opens them.
        DataDirectoryGuard.Check(configuration);
        services.AddKastellDatabase(configuration);
        services.AddAudit(configuration);
        services.AddKastellSiem(configuration);
        builder.AddKastellTelemetry();
        services.AddKastellLocalization();
        services.AddKastellEmail(configuration);

        services.AddKastellEncryption(configuration);
        services.AddKastellStorage(configuration);

        services.AddRazorComponents();
        // Outside Development ASP.NET Core only serves wwwroot from published output; run from the build output
        // (`dotnet run` in Production, the browser tests) every stylesheet and script answered 200 with an empty body.
        // The build manifest this reads does not exist in published output, where the call changes nothing.
        builder.WebHost.UseStaticWebAssets();
        // Served from the build output, the framework answers even fingerprinted assets "no-cache" (for hot reload),
        // so every page view re-fetched the stylesheet and scripts. A fingerprinted address changes with its content,
        // so outside Development the manifest's own answer stands: a year, immutable. Set explicitly, it is respected.
        if (!builder.Environment.IsDevelopment() && builder.Configuration["EnableStaticAssetsDevelopmentCaching"] is null)
        {
            builder.Configuration["EnableStaticAssetsDevelopmentCaching"] = "true";
        }
        // German text stays readable in the HTML instead of becoming numeric entities; encoding still escapes markup.
        services.AddSingleton(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All));
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__Host-Kastell-Antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = MaxRequestBodyBytes;
            o.ValueLengthLimit = 64 * 1024;
            o.ValueCountLimit = 200;
        });
        // Secure by default: with no address configured Kastell listens on HTTPS only, with a self-signed certificate
        // unless one is configured. Session and antiforgery cookies are Secure, so plain HTTP cannot sign anyone in.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DevelopmentCertificate.DefaultUrl);
        }

        var hasConfiguredCertificate = builder.Configuration.GetSection("Kestrel:Certificates:Default").Exists();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            // A slow client cannot hold a connection forever: headers within 15 s, bodies and responses at least
            // 240 bytes a second after a 5-second grace, idle keep-alive connections closed after 2 minutes.
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, TimeSpan.FromSeconds(5));
            k.Limits.MinResponseDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, TimeSpan.FromSeconds(5));
            k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            k.AddServerHeader = false;
            if (!hasConfiguredCertificate)
            {
                k.ConfigureHttpsDefaults(https => https.ServerCertificate ??= DevelopmentCertificate.LoadOrCreate(
                    k.ApplicationServices.GetRequiredService<IOptions<DataDirectoryOptions>>().Value.ResolveDataDirectory()));
            }
        });
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        services.AddKastellOptions<TrustedProxyOptions, TrustedProxyOptionsValidator>(configuration, TrustedProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((o, trusted) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET Core trusts loopback by default; Kastell trusts only the proxies it is told about, so a local
            // client cannot pick its own address for the rate limiter, the sign-in throttle and the audit trail.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.Proxies())
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in trusted.Value.Networks())
            {
                o.KnownIPNetworks.Add(network);
            }

            // Walk the chain from the right while each hop is a trusted proxy; the first untrusted address is the client.
            o.ForwardLimit = null;
        });
        services.AddKastellRateLimiting(configuration);
        services.AddKastellApi(configuration);
    }

    /// <param name="afterAuthentication">The features' middleware that runs once the caller is known, before the tenant is resolved.</param>
    public static WebApplication UseKastellPlatform(this WebApplication app, Action<IApplicationBuilder> afterAuthentication)
    {
        app.UseKastellRequestLogging();
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<RequireHttpsMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error",
            CreateScopeForErrors = true,
            // Malformed input found while reading the request (a form over its limits, a body too large, a refused
            // antiforgery token) is the client's error: a 4xx page in the user's language, never a 500.
            StatusCodeSelector = Http.MalformedRequests.StatusCodeOf,
        });
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseMiddleware<Http.StatusPagesMiddleware>();
        // Routing after the status pages' middleware, so a re-executed request is routed as the GET it became.
        app.UseRouting();
        app.UseHsts();
        app.UseRequestLocalization(app.Services.GetRequiredService<IOptions<RequestLocalizationOptions>>().Value);
        app.UseMiddleware<Http.Api.ApiErrorsMiddleware>();
        app.UseRateLimiter();
        app.UseKastellAuthentication();
        afterAuthentication(app);
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.UseMiddleware<Audit.RefusalAuditMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();
        // After the antiforgery check, so that a post it refused records no allow of a sensitive permission.
        app.UseMiddleware<Authorization.PermissionMiddleware>();

        // The liveness probe checks nothing but the process: answered straight after routing (the security headers and
        // the HTTPS rule before it still apply), without the sign-in, tenant, antiforgery and permission steps it
        // never needs, so an orchestrator probing it often costs next to nothing.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithName("HealthLive").ShortCircuit();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.WriteAsync }).WithName("HealthReady");
        CultureEndpoint.Map(app);
        app.MapKastellApiDocument();
        app.MapKastellApiReference();
        return app;
    }

    public static WebApplication MapKastellPages(this WebApplication app)
    {
        app.MapStaticAssets().ReadOnly();
        // Pages take form posts and are covered as such; the framework's own endpoints next to them
        // (/_framework/opaque-redirect: follows a data-protected redirect during enhanced navigation) only read.
        app.MapRazorComponents<App>().Add(e =>
        {
            if (!e.Metadata.OfType<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>().Any())
            {
                e.Metadata.Add(ReadOnlyEndpoint.Instance);
            }
        });
        return app;
    }
}
