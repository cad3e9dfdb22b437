using Kastell.Server.Features.Access.MemberReach;
using Kastell.Server.Features.Access.WhoHasAccess;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.Access;

/// <summary>
/// "Who has access, and why": for the organization, a Space and a file, everyone with access and every relation path
/// that grants it (the engine's ListUsers and Explain); for a member, everything they can reach (ListObjects). Only
/// owners, admins and auditors (and a Space's managers, for their Space) see these pages; they read, they change nothing.
/// </summary>
public sealed class AccessModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<AccessNames>();
        services.AddScoped<WhoHasAccessQuery>();
        services.AddScoped<MemberReachQuery>();
    }
}
