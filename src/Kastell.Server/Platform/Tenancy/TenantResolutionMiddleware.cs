using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Turns the matched endpoint's <c>{org}</c> and <c>{space}</c> route values into the request's <see cref="Tenant"/>
/// (which tenant), then asks the authorization engine whether the caller may enter it (<c>can_read</c> on the
/// organization and the Space) unless the endpoint is marked <see cref="AnonymousTenantAccessAttribute"/>.
/// A slug the caller may not enter answers exactly like one that does not exist: 404, no body that tells them apart.
/// Every such refusal is an authorization denial and is audited: on the organization's chain when it exists (its
/// administrators should see who probed it), otherwise on the system chain. Both cost one write, so the timing does
/// not tell them apart either. An anonymous caller is sent to sign in before anything is looked up, so the answer
/// says nothing about which organizations exist.
/// </summary>
internal sealed class TenantResolutionMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.RouteValues[TenantRoutes.Organization] is not string orgSlug)
        {
            await next(context);
            return;
        }

        // Resolved here, not as parameters of InvokeAsync: a request outside the tenant routes (a health probe, an
        // asset, the sign-in page) then builds no data context, engine or audit log it would not use.
        var services = context.RequestServices;
        var (tenant, actor, permissions) = (services.GetRequiredService<Tenant>(), services.GetRequiredService<CurrentActor>(), services.GetRequiredService<Permissions>());
        var (db, audit) = (services.GetRequiredService<KastellDbContext>(), services.GetRequiredService<IAuditLog>());

        var anonymous = context.GetEndpoint()?.Metadata.GetMetadata<AnonymousTenantAccessAttribute>() is not null;
        if (actor.Subject is null && !anonymous)
        {
            await context.ChallengeAsync();
            return;
        }

        var spaceSlug = context.Request.RouteValues[TenantRoutes.Space] as string;
        if (await EnterAsync(orgSlug, spaceSlug, anonymous, tenant, permissions, db, context.RequestAborted) is { } denied)
        {
            // The engine's own denials are recorded by Permissions.RequireAsync; an unknown slug is recorded here.
            if (denied.Target is { } target)
            {
                await audit.RecordNowAsync(new(AuthorizationEvents.AuthorizationDenied, actor.Actor, target, AuditOutcome.Denied,
                    new Dictionary<string, string> { ["permission"] = "tenant.access", ["reason"] = denied.Reason }), context.RequestAborted);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    }

    /// <summary>Why the tenant cannot be entered; <see cref="Target"/> is null when the engine already recorded the denial.</summary>
    private readonly record struct Refusal(AuditTarget? Target, string Reason);

    /// <summary>Null when the caller may enter the tenant the route names; otherwise why not.</summary>
    private static async Task<Refusal?> EnterAsync(
        string orgSlug, string? spaceSlug, bool anonymous, Tenant tenant, Permissions permissions, KastellDbContext db, CancellationToken ct)
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

        // May you: reading the organization first, so a stranger learns nothing about its Spaces either.
        if (!anonymous && !await permissions.RequireAsync("organization", organization.Id, "can_read", cancellationToken: ct))
        {
            return new Refusal(null, "not-a-member");
        }

        if (spaceSlug is not null && space is null)
        {
            return new Refusal(new("space", spaceSlug), "unknown-space");
        }

        tenant.Resolve(organization, space);
        if (space is not null && !anonymous && !await permissions.RequireAsync("space", space.Id, "can_read", cancellationToken: ct))
        {
            return new Refusal(null, "no-space-role");
        }

        return null;
    }
}
