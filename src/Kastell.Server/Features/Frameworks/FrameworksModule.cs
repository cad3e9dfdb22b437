using Kastell.Server.Features.Frameworks.Import;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Features.Frameworks;

/// <summary>
/// The organization's framework library: OSCAL catalogs and profiles imported (versioned, with what changed), their
/// requirements browsed, and the <c>oscal inspect</c>/<c>oscal import</c> verbs. The OSCAL model itself is
/// Kastell.Oscal's.
/// </summary>
public sealed class FrameworksModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ImportFrameworkCommand>();
        builder.Services.AddScoped<Library.FrameworkQueries>();
    }

    public override IEnumerable<CliVerb> CreateVerbs() => [new OscalInspectVerb(), new OscalImportVerb()];
}
