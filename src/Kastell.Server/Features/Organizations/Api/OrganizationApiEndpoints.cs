using System.Text.Json;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Features.Organizations.Settings;
using Kastell.Server.Features.Organizations.Spaces;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Api;

public sealed record OrganizationResource(string Slug, string Name, DateTimeOffset CreatedAt);

public sealed record SpaceResource(Guid Id, string Slug, string Name, DateTimeOffset CreatedAt);

public sealed record NewSpace(string Name);

public sealed record MemberResource(Guid UserId, string DisplayName, string Email, OrganizationRole Role, DateTimeOffset JoinedAt);

public sealed record InvitationResource(Guid Id, string Email, OrganizationRole Role, DateTimeOffset ExpiresAt);

public sealed record NewInvitation(string Email, OrganizationRole Role);

public sealed record PasswordPolicyResource(int MinimumLength, bool RequireUppercase, bool RequireLowercase, bool RequireDigit, bool RequireSymbol, int HistoryLength);

/// <summary>
/// <c>/api/v1/o/{org}</c>: the organization, its Spaces (list, create, read), members (list), invitations (list, create,
/// revoke) and password policy (read, update with If-Match). Each endpoint declares the same permission as the page
/// that does the same; commands check again inside, as for the pages.
/// </summary>
internal static class OrganizationApiEndpoints
{
    public static void Map(RouteGroupBuilder organization, RouteGroupBuilder space)
    {
        organization.MapGet("", (Tenant tenant) => TypedResults.Ok(Resource(tenant.RequireOrganization())))
            .RequirePermission("organization", "can_read").ReadOnly().WithName("ApiGetOrganization").WithTags("Organizations").ProducesApiErrors();

        organization.MapGet("/spaces", ListSpacesAsync)
            .RequirePermission("organization", "can_read").ReadOnly().WithName("ApiListSpaces").Produces<ApiPage<SpaceResource>>().WithTags("Spaces").ProducesApiErrors(StatusCodes.Status400BadRequest);
        organization.MapPost("/spaces", CreateSpaceAsync).Accepts<NewSpace>("application/json")
            .RequirePermission("organization", "can_create_space").WithName("ApiCreateSpace").Produces<SpaceResource>(StatusCodes.Status201Created).WithTags("Spaces")
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        space.MapGet("", (Tenant tenant) => TypedResults.Ok(Resource(tenant.RequireSpace())))
            .RequirePermission("space", "can_read").ReadOnly().WithName("ApiGetSpace").WithTags("Spaces").ProducesApiErrors();

        organization.MapGet("/members", ListMembersAsync)
            .RequirePermission("organization", "can_read").ReadOnly().WithName("ApiListMembers").Produces<ApiPage<MemberResource>>().WithTags("Members").ProducesApiErrors(StatusCodes.Status400BadRequest);

        organization.MapGet("/invitations", ListInvitationsAsync)
            .RequirePermission("organization", "can_manage_members").ReadOnly().WithName("ApiListInvitations").Produces<ApiPage<InvitationResource>>().WithTags("Invitations").ProducesApiErrors(StatusCodes.Status400BadRequest);
        organization.MapPost("/invitations", InviteAsync).Accepts<NewInvitation>("application/json")
            .RequirePermission("organization", "can_manage_members", auditAllow: true).WithName("ApiCreateInvitation").Produces<InvitationResource>(StatusCodes.Status201Created).WithTags("Invitations")
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        organization.MapDelete("/invitations/{id:guid}", RevokeInvitationAsync)
            .RequirePermission("organization", "can_manage_members", auditAllow: true).WithName("ApiRevokeInvitation").Produces(StatusCodes.Status204NoContent).WithTags("Invitations").ProducesApiErrors();

        organization.MapGet("/settings/password-policy", GetPolicy)
            .RequirePermission("organization", "can_read").ReadOnly().WithName("ApiGetPasswordPolicy").Produces<PasswordPolicyResource>().WithTags("Settings").ProducesApiErrors();
        organization.MapPut("/settings/password-policy", UpdatePolicyAsync).Accepts<PasswordPolicyResource>("application/json")
            .RequirePermission("organization", "can_manage_password_policy").WithName("ApiUpdatePasswordPolicy").Produces<PasswordPolicyResource>().WithTags("Settings")
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
    }

    private static async Task<IResult> ListSpacesAsync(string? cursor, string? limit, HttpContext context, Permissions permissions, KastellDbContext db)
    {
        if (Paging(context, cursor, limit) is not (var take, var after) )
        {
            return Bad(context, cursor, limit);
        }

        var readable = await permissions.ObjectsAsync("space", "can_read", context.RequestAborted);
        var rows = await db.Spaces.AsNoTracking()
            .Where(s => readable.Contains(s.Id) && (after == null || s.Id.CompareTo(after.Value) > 0))
            .OrderBy(s => s.Id).Take(take + 1).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take, Resource, s => ApiPaging.Cursor(s.Id)));
    }

    private static async Task<IResult> CreateSpaceAsync(HttpContext context, CurrentActor actor, Tenant tenant, CreateSpaceCommand create, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<NewSpace>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
            (await create.ExecuteAsync(actor.UserId, actor.Actor, body.Name, context.RequestAborted)).ToHttpResult(context, space =>
                TypedResults.Created($"{TenantRoutes.ApiPrefix}{TenantRoutes.SpacePath(tenant.RequireOrganization(), space)}", Resource(space))));
    }

    private static async Task<IResult> ListMembersAsync(string? cursor, string? limit, HttpContext context, MemberDirectory directory)
    {
        if (Paging(context, cursor, limit) is not (var take, var after))
        {
            return Bad(context, cursor, limit);
        }

        var rows = await directory.PageAsync(after, take + 1, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take, m => new MemberResource(m.UserId, m.DisplayName, m.Email, m.Role, m.JoinedAt), m => ApiPaging.Cursor(m.UserId)));
    }

    private static async Task<IResult> ListInvitationsAsync(string? cursor, string? limit, HttpContext context, MemberDirectory directory)
    {
        if (Paging(context, cursor, limit) is not (var take, var after))
        {
            return Bad(context, cursor, limit);
        }

        // An organization has few open invitations: ordered here by id (version 7: by creation).
        var rows = (await directory.PendingInvitationsAsync(context.RequestAborted))
            .Where(i => after is null || i.Id.CompareTo(after.Value) > 0).OrderBy(i => i.Id).Take(take + 1).ToList();
        return TypedResults.Ok(ApiPaging.Page(rows, take, i => new InvitationResource(i.Id, i.Email, i.Role, i.ExpiresAt), i => ApiPaging.Cursor(i.Id)));
    }

    private static async Task<IResult> InviteAsync(HttpContext context, CurrentActor actor, Tenant tenant, InviteMemberCommand invite, MemberDirectory directory,
        Idempotency idempotency, Microsoft.AspNetCore.Identity.UserManager<KastellUser> users)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<NewInvitation>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var organization = tenant.RequireOrganization();
        var inviter = actor.UserId is { } userId && await users.FindByIdAsync(userId.ToString()) is { } user
            ? Inviter.Of(user) with { Actor = actor.Actor }
            : new Inviter(actor.Token?.SubjectId ?? Guid.Empty, organization.Name, null, actor.Actor, ConfirmedEmail: null);
        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
        {
            var result = await invite.ExecuteAsync(inviter, body.Email, body.Role, context.RequestAborted);
            switch (result.Outcome)
            {
                case InviteOutcome.Sent:
                    var created = (await directory.PendingInvitationsAsync(context.RequestAborted)).Single(i => string.Equals(i.Email, body.Email.Trim(), StringComparison.OrdinalIgnoreCase));
                    return TypedResults.Created($"{TenantRoutes.ApiPrefix}{TenantRoutes.OrganizationPath(organization, $"/invitations/{created.Id}")}",
                        new InvitationResource(created.Id, created.Email, created.Role, created.ExpiresAt));
                case InviteOutcome.InvalidEmail:
                    return OrganizationErrors.InvitationEmailInvalid.ToProblem(context);
                case InviteOutcome.AlreadyMember:
                    return OrganizationErrors.InvitationAlreadyMember.ToProblem(context);
                case InviteOutcome.UnconfirmedInviter:
                    return OrganizationErrors.InviterUnconfirmed.ToProblem(context);
                case InviteOutcome.TooMany:
                    context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(result.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return OrganizationErrors.InvitationsThrottled.ToProblem(context);
                default:
                    return Failures.NotAllowed.ToProblem(context);
            }
        });
    }

    private static async Task<IResult> RevokeInvitationAsync(Guid id, HttpContext context, CurrentActor actor, RevokeInvitationCommand revoke) =>
        (await revoke.ExecuteAsync(actor.Actor, id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    private static IResult GetPolicy(HttpContext context, Tenant tenant)
    {
        var resource = Resource(tenant.RequireOrganization().PasswordPolicy);
        context.Response.Headers.ETag = ApiETags.Of(context, resource);
        return TypedResults.Ok(resource);
    }

    private static async Task<IResult> UpdatePolicyAsync(HttpContext context, CurrentActor actor, Tenant tenant, UpdatePasswordPolicyCommand update)
    {
        if (ApiETags.IfMatch(context.Request) is not { } ifMatch)
        {
            return ApiErrors.PreconditionRequired.ToProblem(context);
        }

        var (body, failure, detail) = await ApiBody.ReadAsync<PasswordPolicyResource>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var requested = new PasswordPolicy
        {
            MinimumLength = body.MinimumLength,
            RequireUppercase = body.RequireUppercase,
            RequireLowercase = body.RequireLowercase,
            RequireDigit = body.RequireDigit,
            RequireSymbol = body.RequireSymbol,
            HistoryLength = body.HistoryLength,
        };
        var result = await update.ExecuteAsync(actor.Actor, requested, stored => ApiETags.Matches(ifMatch, ApiETags.Of(context, Resource(stored))), context.RequestAborted);
        return result.ToHttpResult(context, () =>
        {
            context.Response.Headers.ETag = ApiETags.Of(context, body);
            return TypedResults.Ok(body);
        });
    }

    /// <summary>The limit and the cursor's id, or null when either is bad.</summary>
    private static (int Take, Guid? After)? Paging(HttpContext context, string? cursor, string? limit) =>
        ApiPaging.Limit(limit) is (var take, null) && ApiPaging.TryReadGuid(cursor, out var after) ? (take, after) : null;

    private static IResult Bad(HttpContext context, string? cursor, string? limit) =>
        (ApiPaging.Limit(limit).Failure ?? ApiErrors.InvalidCursor).ToProblem(context);

    private static OrganizationResource Resource(Organization o) => new(o.Slug, o.Name, o.CreatedAt);

    private static SpaceResource Resource(Space s) => new(s.Id, s.Slug, s.Name, s.CreatedAt);

    private static PasswordPolicyResource Resource(PasswordPolicy p) =>
        new(p.MinimumLength, p.RequireUppercase, p.RequireLowercase, p.RequireDigit, p.RequireSymbol, p.HistoryLength);
}
