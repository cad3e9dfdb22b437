using Kastell.Server.Features.Assets.Api;
using Kastell.Server.Features.Assets.Import;
using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.Assets;

/// <summary>
/// A Space's asset inventory: applications, systems, rooms, data, services, people and what suppliers provide, each
/// with an owner and protection needs for confidentiality, integrity and availability (BSI 200-2), the dependencies
/// between them, and the needs they inherit along those dependencies by the maximum principle.
/// </summary>
public sealed class AssetsModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<AssetQueries>();
        services.AddScoped<CreateAssetCommand>();
        services.AddScoped<UpdateAssetCommand>();
        services.AddScoped<DeleteAssetCommand>();
        services.AddScoped<DependencyCommand>();
        services.AddScoped<ImportColumns>();
        services.AddScoped<ImportAssetsCommand>();
        services.AddSingleton<ImportPayloads>();
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        AssetEndpoints.Map(routes.Space);
        ImportEndpoints.Map(routes.Space);
        AssetApiEndpoints.Map(routes.ApiSpace);
        AssetImportApiEndpoint.Map(routes.ApiSpace);
    }

    public override void AddToShell(Shell shell) => shell.AddLink(ShellArea.Space, "AssetsTitle", "/assets", 30);
}
