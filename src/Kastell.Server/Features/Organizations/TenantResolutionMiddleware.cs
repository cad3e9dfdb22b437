using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations;

/// <summary>
/// Turns <c>/o/{org}[/s/{space}]</c> (and the same under <c>/api/v1</c>) into the request's tenant. A slug the
/// caller is not a member of answers exactly like one that does not exist: 404, no body that tells them apart.
/// Every such refusal is an authorization denial and is audited: on the organization's chain when it exists (its
/// administrators should see who probed it), otherwise on the system chain. Both cost one write, so the timing
/// does not tell them apart either.
/// </summary>
internal sealed partial class TenantResolutionMiddleware(RequestDelegate next)
{
    [GeneratedRegex(@"^(?:/api/v1)?/o/(?<org>[^/]+)(?:/s/(?<space>[^/]+))?(?:/|$)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TenantRoute();

    public async Task InvokeAsync(HttpContext context, TenantContext tenant, TenantAccess access, KastellDbContext db, IAuditLog audit)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            tenant.SetUser(userId);
        }

        var match = TenantRoute().Match(context.Request.Path.Value ?? "");
        if (!match.Success)
        {
            await next(context);
            return;
        }

        if (tenant.UserId is not { } caller)
        {
            await context.ChallengeAsync();
            return;
        }

        var refusal = await ResolveAsync(match, caller, tenant, access, db, context.RequestAborted)
            ?? RoleRefusal(context, access);
        if (refusal is { } denied)
        {
            await audit.RecordNowAsync(AuditDenials.Permission(caller, "tenant.access", denied.Target, denied.Reason), context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    }

    private readonly record struct Refusal(AuditTarget Target, string Reason);

    /// <summary>A page or endpoint marked with <see cref="RequireOrganizationRoleAttribute"/> the caller's role does not open.</summary>
    private static Refusal? RoleRefusal(HttpContext context, TenantAccess access) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RequireOrganizationRoleAttribute>() is { } required
        && (access.OrganizationRole is not { } role || !required.Roles.Contains(role))
            ? new Refusal(new("endpoint", context.Request.Path.Value), "role")
            : null;

    /// <summary>Null when the caller may enter the tenant the route names; otherwise why not.</summary>
    private static async Task<Refusal?> ResolveAsync(Match match, Guid caller, TenantContext tenant, TenantAccess access, KastellDbContext db, CancellationToken ct)
    {
        var orgSlug = match.Groups["org"].Value;
        var unknown = new Refusal(new("organization", orgSlug), "unknown-organization");
        if (!Slugs.IsValid(orgSlug))
        {
            return unknown;
        }

        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Slug == orgSlug, ct);
        if (organization is null)
        {
            return unknown;
        }

        tenant.Enter(organization.Id);
        var membership = await db.OrganizationMembers.AsNoTracking()
            .SingleOrDefaultAsync(m => m.UserId == caller, ct);
        if (membership is null)
        {
            return new Refusal(AuditTarget.Organization(organization.Id), "not-a-member");
        }

        access.Organization = organization;
        access.OrganizationRole = membership.Role;
        if (!match.Groups["space"].Success)
        {
            return null;
        }

        var spaceSlug = match.Groups["space"].Value;
        var space = Slugs.IsValid(spaceSlug)
            ? await db.Spaces.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == spaceSlug, ct)
            : null;
        if (space is null)
        {
            return new Refusal(new("space", spaceSlug), "unknown-space");
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

        tenant.Enter(organization.Id, space.Id);
        access.Space = space;
        access.SpaceRole = spaceRole;
        return null;
    }
}
