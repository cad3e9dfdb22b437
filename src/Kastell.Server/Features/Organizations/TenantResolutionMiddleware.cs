using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations;

/// <summary>
/// Turns <c>/o/{org}[/s/{space}]</c> (and the same under <c>/api/v1</c>) into the request's tenant. A slug the
/// caller is not a member of answers exactly like one that does not exist: 404, no body that tells them apart.
/// </summary>
internal sealed partial class TenantResolutionMiddleware(RequestDelegate next)
{
    [GeneratedRegex(@"^(?:/api/v1)?/o/(?<org>[^/]+)(?:/s/(?<space>[^/]+))?(?:/|$)", RegexOptions.CultureInvariant)]
    private static partial Regex TenantRoute();

    public async Task InvokeAsync(HttpContext context, TenantContext tenant, TenantAccess access, KastellDbContext db)
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

        if (!await ResolveAsync(match, caller, tenant, access, db, context.RequestAborted))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    }

    private static async Task<bool> ResolveAsync(Match match, Guid caller, TenantContext tenant, TenantAccess access, KastellDbContext db, CancellationToken ct)
    {
        var orgSlug = match.Groups["org"].Value;
        if (!Slugs.IsValid(orgSlug))
        {
            return false;
        }

        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Slug == orgSlug, ct);
        if (organization is null)
        {
            return false;
        }

        tenant.Enter(organization.Id);
        var membership = await db.OrganizationMembers.AsNoTracking()
            .SingleOrDefaultAsync(m => m.UserId == caller, ct);
        if (membership is null)
        {
            return false;
        }

        access.Organization = organization;
        access.OrganizationRole = membership.Role;
        if (!match.Groups["space"].Success)
        {
            return true;
        }

        var spaceSlug = match.Groups["space"].Value;
        var space = Slugs.IsValid(spaceSlug)
            ? await db.Spaces.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == spaceSlug, ct)
            : null;
        if (space is null)
        {
            return false;
        }

        var spaceRole = await db.SpaceMembers.AsNoTracking()
            .Where(m => m.SpaceId == space.Id && m.UserId == caller)
            .Select(m => (SpaceRole?)m.Role)
            .SingleOrDefaultAsync(ct);
        // Organization owners and admins manage every Space; everyone else needs a Space role.
        spaceRole ??= access.CanAdministerOrganization ? SpaceRole.Manager : null;
        if (spaceRole is null)
        {
            return false;
        }

        tenant.Enter(organization.Id, space.Id);
        access.Space = space;
        access.SpaceRole = spaceRole;
        return true;
    }
}
