using Kastell.Server.Features.AuditTrail.Export;
using Kastell.Server.Features.AuditTrail.Retention;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Features.AuditTrail;

/// <summary>
/// An organization's audit trail as its owners, admins and auditors read it: the page with filters and the chain's
/// state, exports, and the retention period (applied on a schedule and by the <c>audit-retention</c> verb). The chain
/// itself (writing, hashing, checkpoints, verification) is the platform's.
/// </summary>
public sealed class AuditTrailModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<AuditTrailQuery>();
        services.AddScoped<AuditRetention>();
        services.AddScoped<UpdateAuditRetentionCommand>();
        services.AddHostedService<AuditRetentionScheduler>();
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        AuditTrailEndpoints.Map(routes.Organization);
        Api.AuditApiEndpoints.Map(routes.ApiOrganization);
    }

    public override IEnumerable<CliVerb> CreateVerbs() => [new AuditRetentionVerb()];
}
