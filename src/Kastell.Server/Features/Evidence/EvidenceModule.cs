using Kastell.Server.Features.Evidence.Browse;
using Kastell.Server.Features.Evidence.Review;
using Kastell.Server.Features.Evidence.Submit;
using Kastell.Server.Features.Evidence.Visibility;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.Evidence;

/// <summary>
/// A Space's evidence: files (encrypted and scanned), links and notes, each for a day or an observation period, linked
/// to the controls and assets it speaks for, reviewed by a second person, and visible by the model's rule — to those
/// who answer for it, the Space's managers and the organization's auditors, or, where a Space chooses so, to all its members.
/// </summary>
public sealed class EvidenceModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<EvidenceQueries>();
        services.AddScoped<SubmitEvidenceCommand>();
        services.AddScoped<AddEvidenceVersionCommand>();
        services.AddScoped<ReviewEvidenceCommand>();
        services.AddScoped<EvidenceVisibilityCommand>();
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        EvidenceEndpoints.Map(routes.Space);
        Api.EvidenceApiEndpoints.Map(routes.ApiSpace);
    }

    public override void AddToShell(Shell shell) => shell.AddLink(ShellArea.Space, "EvidenceTitle", "/evidence", 35);
}
