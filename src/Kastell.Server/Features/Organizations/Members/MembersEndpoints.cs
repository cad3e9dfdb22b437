using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace Kastell.Server.Features.Organizations.Members;

internal static class MembersEndpoints
{
    /// <summary>
    /// Revoking an invitation, changing a member's role and removing a member are plain form posts to their own
    /// endpoints, so an unknown id (or one of another organization) answers a real 404. The tenant middleware has
    /// already answered 404 for an organization the caller is not a member of.
    /// </summary>
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapPost("/members/invitations/{id:guid}/revoke", async (Guid id, HttpContext context, Tenant tenant, CurrentActor actor, RevokeInvitationCommand revoke) =>
            (await revoke.ExecuteAsync(actor.Actor, id, context.RequestAborted))
                .ToHttpResult(context, () => TypedResults.LocalRedirect(MembersPath(tenant))))
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_members", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RevokeInvitation");
        organization.MapPost("/members/{userId:guid}/role", async (Guid userId, [FromForm] string? role, HttpContext context, Tenant tenant, ChangeMemberRoleCommand change) =>
            (ParseRole(role) is { } parsed
                ? await change.ExecuteAsync(userId, parsed, context.RequestAborted)
                : OrganizationErrors.MemberRoleInvalid)
                .ToHttpResult(context, () => TypedResults.LocalRedirect(MembersPath(tenant) + "?changed=1")))
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_members", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("ChangeMemberRole");
        organization.MapPost("/members/{userId:guid}/remove", async (Guid userId, HttpContext context, Tenant tenant, RemoveMemberCommand remove) =>
            (await remove.ExecuteAsync(userId, context.RequestAborted))
                .ToHttpResult(context, () => TypedResults.LocalRedirect(MembersPath(tenant) + "?removed=1")))
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_members", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RemoveMember");
    }

    /// <summary>A role by its exact name only (<c>Admin</c>): numbers, combinations ("Admin, Owner") and unknown names are not roles.</summary>
    internal static OrganizationRole? ParseRole(string? value) => FormValues.Named<OrganizationRole>(value);

    private static string MembersPath(Tenant tenant) => TenantRoutes.OrganizationPath(tenant.RequireOrganization(), "/members");
}
