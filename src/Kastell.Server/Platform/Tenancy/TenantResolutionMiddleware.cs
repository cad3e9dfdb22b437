using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Turns the matched endpoint's <c>{org}</c> and <c>{space}</c> route values into the request's <see cref="Tenant"/>
/// (which tenant), then decides whether the caller may enter it (membership and Space role, into
/// <see cref="TenantAccess"/>) unless the endpoint is marked <see cref="AnonymousTenantAccessAttribute"/>.
/// A slug the caller may not enter answers exactly like one that does not exist: 404, no body that tells them apart.
/// Every such refusal is an authorization denial and is audited: on the organization's chain when it exists (its
/// administrators should see who probed it), otherwise on the system chain. Both cost one write, so the timing does
/// not tell them apart either. An anonymous caller is sent to sign in before anything is looked up, so the answer
/// says nothing about which organizations exist.
/// </summary>
internal sealed class TenantResolutionMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, Tenant tenant, TenantAccess access, CurrentActor actor, KastellDbContext db, IAuditLog audit)
    {
        if (context.Request.RouteValues[TenantRoutes.Organization] is not string orgSlug)
        {
            await next(context);
            return;
        }

        var endpoint = context.GetEndpoint();
        var anonymous = endpoint?.Metadata.GetMetadata<AnonymousTenantAccessAttribute>() is not null;
        var caller = actor.UserId;
        if (caller is null && !anonymous)
        {
            await context.ChallengeAsync();
            return;
        }

        var spaceSlug = context.Request.RouteValues[TenantRoutes.Space] as string;
        var refusal = await EnterAsync(orgSlug, spaceSlug, caller, anonymous, tenant, access, db, context.RequestAborted)
            ?? RoleRefusal(context, endpoint, access);
        if (refusal is { } denied)
        {
            await audit.RecordNowAsync(new(AuthorizationEvents.AuthorizationDenied, actor.Actor, denied.Target, AuditOutcome.Denied,
                new Dictionary<string, string> { ["permission"] = "tenant.access", ["reason"] = denied.Reason }), context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    }

    private readonly record struct Refusal(AuditTarget Target, string Reason);

    /// <summary>A page or endpoint marked with <see cref="RequireOrganizationRoleAttribute"/> the caller's role does not open.</summary>
    private static Refusal? RoleRefusal(HttpContext context, Endpoint? endpoint, TenantAccess access) =>
        endpoint?.Metadata.GetMetadata<RequireOrganizationRoleAttribute>() is { } required
        && (access.OrganizationRole is not { } role || !required.Roles.Contains(role))
            ? new Refusal(new("endpoint", context.Request.Path.Value), "role")
            : null;

    /// <summary>Null when the caller may enter the tenant the route names; otherwise why not.</summary>
    private static async Task<Refusal?> EnterAsync(
        string orgSlug, string? spaceSlug, Guid? caller, bool anonymous, Tenant tenant, TenantAccess access, KastellDbContext db, CancellationToken ct)
    {
        // Which tenant: resolved from the slugs alone.
        var organization = Slugs.IsValid(orgSlug)
            ? await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Slug == orgSlug, ct)
            : null;
        if (organization is null)
        {
            return new Refusal(new("organization", orgSlug), "unknown-organization");
        }

        tenant.Enter(organization.Id);
        var space = spaceSlug is null || !Slugs.IsValid(spaceSlug)
            ? null
            : await db.Spaces.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == spaceSlug, ct);

        // May you: membership first, so a stranger learns nothing about the organization's Spaces either.
        if (!anonymous)
        {
            var membership = await db.OrganizationMembers.AsNoTracking().SingleOrDefaultAsync(m => m.UserId == caller, ct);
            if (membership is null)
            {
                return new Refusal(AuditTarget.Organization(organization.Id), "not-a-member");
            }

            access.OrganizationRole = membership.Role;
        }

        if (spaceSlug is not null && space is null)
        {
            return new Refusal(new("space", spaceSlug), "unknown-space");
        }

        tenant.Resolve(organization, space);
        if (space is null || anonymous)
        {
            return null;
        }

        var spaceRole = await db.SpaceMembers.AsNoTracking()
            .Where(m => m.SpaceId == space.Id && m.UserId == caller)
            .Select(m => (SpaceRole?)m.Role)
            .SingleOrDefaultAsync(ct);
        // Organization owners and admins manage every Space and auditors read every Space (they audit the whole
        // organization); everyone else needs a Space role.
        spaceRole ??= access.CanAdministerOrganization ? SpaceRole.Manager
            : access.OrganizationRole == OrganizationRole.Auditor ? SpaceRole.Viewer
            : null;
        if (spaceRole is null)
        {
            return new Refusal(AuditTarget.Space(space.Id), "no-space-role");
        }

        access.SpaceRole = spaceRole;
        return null;
    }
}
