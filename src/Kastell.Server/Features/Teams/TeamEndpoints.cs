using Kastell.Server.Features.Teams.ManageTeams;
using Kastell.Server.Features.Teams.TeamMembers;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace Kastell.Server.Features.Teams;

/// <summary>
/// Deleting a team and changing its members: plain form posts to their own endpoints, each naming the team in its
/// route, so the permission is checked on that team (<c>can_manage</c>) before anything runs. A team of another
/// organization is not in this organization's tuple store: it answers 404 like one that does not exist.
/// </summary>
internal static class TeamEndpoints
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapPost("/teams/{id:guid}/delete", async (Guid id, HttpContext context, Tenant tenant, DeleteTeamCommand delete) =>
                (await delete.ExecuteAsync(id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(TeamsPath(tenant) + "?deleted=1")))
            .RequireAuthorization()
            .RequirePermission("team", "can_manage", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("DeleteTeam");
        organization.MapPost("/teams/{id:guid}/members/add", async (Guid id, [FromForm] string? member, HttpContext context, Tenant tenant, AddTeamMemberCommand add) =>
                (await add.ExecuteAsync(id, member, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(TeamPath(tenant, id) + "?added=1")))
            .RequireAuthorization()
            .RequirePermission("team", "can_manage", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("AddTeamMember");
        organization.MapPost("/teams/{id:guid}/members/remove", async (Guid id, [FromForm] string? member, HttpContext context, Tenant tenant, RemoveTeamMemberCommand remove) =>
                (await remove.ExecuteAsync(id, member, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(TeamPath(tenant, id) + "?removed=1")))
            .RequireAuthorization()
            .RequirePermission("team", "can_manage", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RemoveTeamMember");
    }

    public static string TeamsPath(Tenant tenant) => TenantRoutes.OrganizationPath(tenant.RequireOrganization(), "/teams");

    public static string TeamPath(Tenant tenant, Guid id) => TenantRoutes.OrganizationPath(tenant.RequireOrganization(), $"/teams/{id:D}");
}
