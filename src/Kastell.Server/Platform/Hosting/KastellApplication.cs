using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// Builds and runs Kastell from the platform and the feature modules <c>Program.cs</c> lists: the web server, or one
/// verb of the command line with the same configuration and services.
/// </summary>
public static class KastellApplication
{
    public static async Task<int> RunAsync(string[] args, params FeatureModule[] features)
    {
        var request = KastellCli.For(features).Parse(args);
        if (request is { NeedsHost: false })
        {
            return await request.RunAsync(services: null);
        }

        var app = Build(request?.ConfigurationArguments ?? args, features);

        // Every setting is checked now, so a verb refuses invalid settings as the server does (the host checks them only when it starts).
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        // The authorization model is combined and validated now: an invalid one stops Kastell with its errors' positions.
        app.Services.GetRequiredService<Authorization.KastellModel>();

        // Load (or create) the audit signing key now: a key file others can read stops Kastell before it serves anything.
        app.Services.GetRequiredService<AuditSigningKey>();
        if (request is not null)
        {
            return await request.RunAsync(app.Services);
        }

        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.ShouldMigrateOnStartup())
        {
            await MigrateVerb.MigrateAsync(app.Services);
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>The host with the platform's and every feature's services, middleware, endpoints and pages.</summary>
    private static WebApplication Build(string[] args, IReadOnlyList<FeatureModule> features)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddKastellPlatform();
        var shell = new Shell();
        foreach (var feature in features)
        {
            feature.AddServices(builder);
            feature.AddToShell(shell);
        }

        builder.Services.AddSingleton(new FeatureModules(features));
        builder.Services.AddSingleton(shell);

        var app = builder.Build();
        app.UseKastellPlatform(afterAuthentication: a =>
        {
            foreach (var feature in features)
            {
                feature.UseAfterAuthentication(a);
            }
        });

        var routes = new FeatureRoutes(
            app,
            app.MapGroup(TenantRoutes.OrganizationPrefix),
            app.MapGroup(TenantRoutes.SpacePrefix),
            ApiGroup(app, TenantRoutes.ApiPrefix + TenantRoutes.OrganizationPrefix),
            ApiGroup(app, TenantRoutes.ApiPrefix + TenantRoutes.SpacePrefix));
        foreach (var feature in features)
        {
            feature.MapEndpoints(routes);
        }

        app.MapKastellPages();
        return app;
    }

    /// <summary>An API route group: every endpoint on it needs a valid API token (the session cookie is never read there).</summary>
    private static RouteGroupBuilder ApiGroup(WebApplication app, string prefix)
    {
        var group = app.MapGroup(prefix);
        group.RequireAuthorization(Http.Api.ApiSetup.Policy);
        return group;
    }
}
