using Kastell.Server.Features.Teams.ManageTeams;
using Kastell.Server.Features.Teams.TeamMembers;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.Teams;

/// <summary>
/// Teams of an organization: named groups of members (teams nest) that Space roles can be given to at once. The team
/// rows are the platform's tenancy entities (like Spaces); this feature is how people create, rename, delete and fill
/// them, on its pages and in the HTTP API. Space roles for teams are given on the Space's members page (Organizations).
/// </summary>
public sealed class TeamsModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<TeamDirectory>();
        services.AddScoped<CreateTeamCommand>();
        services.AddScoped<RenameTeamCommand>();
        services.AddScoped<DeleteTeamCommand>();
        services.AddScoped<AddTeamMemberCommand>();
        services.AddScoped<RemoveTeamMemberCommand>();
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        TeamEndpoints.Map(routes.Organization);
        Api.TeamApiEndpoints.Map(routes.ApiOrganization);
    }
}
