using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Platform.Security;

namespace Kastell.Server.Features.Organizations.Members;

internal static class MembersEndpoints
{
    /// <summary>
    /// Revoking is a plain form post to its own endpoint so an unknown id (or one of another organization) answers a
    /// real 404. The tenant middleware has already answered 404 for an organization the caller is not a member of.
    /// </summary>
    public static void Map(RouteGroupBuilder organization) =>
        organization.MapPost("/members/invitations/{id:guid}/revoke", async (Guid id, Tenant tenant, CurrentActor actor, RevokeInvitationCommand revoke, CancellationToken cancellationToken) =>
            await revoke.ExecuteAsync(actor.RequireUserId(), id, cancellationToken) switch
            {
                RevokeOutcome.Revoked => Results.LocalRedirect(TenantRoutes.OrganizationPath(tenant.RequireOrganization(), "/members")),
                RevokeOutcome.Forbidden => Results.StatusCode(StatusCodes.Status403Forbidden),
                _ => Results.NotFound(),
            })
            .RequireAuthorization()
            .RequireValidAntiforgeryToken()
            .WithName("RevokeInvitation");
}
