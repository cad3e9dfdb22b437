using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.Files;

/// <summary>A Space's files: list, upload (streamed through encryption and the malware scan), download and delete.</summary>
public sealed class FilesModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder) => builder.Services.AddScoped<FileListQuery>();

    public override void MapEndpoints(FeatureRoutes routes)
    {
        FileEndpoints.Map(routes.Space);
        Api.FileApiEndpoints.Map(routes.ApiSpace);
    }
}
