using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Api;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.Controls;

/// <summary>
/// A Space's ISMS answers: the frameworks it adopts (a version of each, history kept), its controls — reusable
/// measures with an owner and a status, each answering requirements of any adopted framework — and the statement of
/// applicability per adopted framework. The frameworks themselves are the Frameworks feature's library.
/// </summary>
public sealed class ControlsModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<AdoptionQueries>();
        services.AddScoped<AdoptFrameworkCommand>();
        services.AddScoped<EndAdoptionCommand>();
        services.AddScoped<ControlQueries>();
        services.AddScoped<CreateControlCommand>();
        services.AddScoped<UpdateControlCommand>();
        services.AddScoped<DeleteControlCommand>();
        services.AddScoped<LinkRequirementCommand>();
        services.AddScoped<SoaQuery>();
        services.AddScoped<SoaWorkbook>();
        services.AddScoped<RecordApplicabilityCommand>();
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        ControlEndpoints.Map(routes.Space);
        ControlApiEndpoints.Map(routes.ApiSpace);
        AdoptionApiEndpoints.Map(routes.ApiSpace);
        ApplicabilityApiEndpoints.Map(routes.ApiSpace);
    }

    public override void AddToShell(Shell shell) =>
        shell.AddLink(ShellArea.Space, "ControlsSpaceFrameworksTitle", "/frameworks", 10)
            .AddLink(ShellArea.Space, "ControlsTitle", "/controls", 20);
}
