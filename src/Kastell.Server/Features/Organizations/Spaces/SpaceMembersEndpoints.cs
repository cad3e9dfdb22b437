using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace Kastell.Server.Features.Organizations.Spaces;

/// <summary>
/// Giving and taking Space roles: form posts naming the subject (<c>user:…</c> or <c>team:…</c>) in the body. The
/// route's Space is the object the permission (<c>can_manage_members</c>) is checked on; the subject must belong to the
/// same organization or the post is refused as bad input.
/// </summary>
internal static class SpaceMembersEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        // Own paths: the members page's route answers posts too (server-rendered forms), which would make the match ambiguous.
        space.MapPost("/members/grant", async ([FromForm] string? subject, [FromForm] string? role, HttpContext context, Tenant tenant, GrantSpaceRoleCommand grant) =>
                (await grant.ExecuteAsync(subject, FormValues.Named<SpaceRole>(role), context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(MembersPath(tenant) + "?granted=1")))
            .RequireAuthorization()
            .RequirePermission("space", "can_manage_members", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("GrantSpaceRole");
        space.MapPost("/members/revoke", async ([FromForm] string? subject, HttpContext context, Tenant tenant, RevokeSpaceRoleCommand revoke) =>
                (await revoke.ExecuteAsync(subject, context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(MembersPath(tenant) + "?revoked=1")))
            .RequireAuthorization()
            .RequirePermission("space", "can_manage_members", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RevokeSpaceRole");
    }

    public static string MembersPath(Tenant tenant) => TenantRoutes.SpacePath(tenant.RequireOrganization(), tenant.RequireSpace(), "/members");
}
