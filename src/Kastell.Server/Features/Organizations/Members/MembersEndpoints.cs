using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Organizations.Members;

internal static class MembersEndpoints
{
    /// <summary>
    /// Revoking is a plain form post to its own endpoint so an unknown id (or one of another organization) answers a
    /// real 404. The tenant middleware has already answered 404 for an organization the caller is not a member of.
    /// </summary>
    public static void Map(RouteGroupBuilder organization) =>
        organization.MapPost("/members/invitations/{id:guid}/revoke", async (Guid id, HttpContext context, Tenant tenant, CurrentActor actor, RevokeInvitationCommand revoke) =>
            (await revoke.ExecuteAsync(actor.Actor, id, context.RequestAborted))
                .ToHttpResult(context, () => TypedResults.LocalRedirect(TenantRoutes.OrganizationPath(tenant.RequireOrganization(), "/members"))))
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_members", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RevokeInvitation");
}
