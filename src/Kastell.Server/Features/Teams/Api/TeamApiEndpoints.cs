using System.Text.Json;
using Kastell.Server.Features.Teams.ManageTeams;
using Kastell.Server.Features.Teams.TeamMembers;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Teams.Api;

/// <summary>A team of the organization.</summary>
public sealed record TeamResource(Guid Id, string Name, DateTimeOffset CreatedAt);

/// <param name="Name">1 to 100 characters, no control characters; unique in the organization regardless of case.</param>
public sealed record TeamBody(string Name);

/// <summary>A direct member of a team: a person (with <c>email</c>) or a team nested in it (whose members are this team's members too).</summary>
/// <param name="Member">How the member is named when adding or removing it: <c>user:{id}</c> or <c>team:{id}</c>.</param>
public sealed record TeamMemberResource(string Member, SubjectKind Kind, Guid Id, string Name, string? Email);

/// <param name="Member"><c>user:{id}</c> (a member of the organization) or <c>team:{id}</c> (another of its teams, which must not contain this one).</param>
public sealed record NewTeamMember(string Member);

/// <summary>
/// <c>/api/v1/o/{org}/teams</c>: list (cursor-paged in creation order), create (Idempotency-Key), read, rename
/// (If-Match with the ETag read: 412 when the team changed meanwhile, 428 without), delete; a team's direct members
/// (list, add, remove; people and nested teams). The same permissions as the teams pages and the same commands, which
/// check again; a team of another organization is a 404 like a missing one.
/// </summary>
internal static class TeamApiEndpoints
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/teams", ListAsync).WithTags("Teams").RequirePermission("organization", "can_read").ReadOnly().WithName("ApiListTeams")
            .Produces<ApiPage<TeamResource>>().ProducesApiErrors(StatusCodes.Status400BadRequest);
        organization.MapPost("/teams", CreateAsync).Accepts<TeamBody>("application/json").WithTags("Teams")
            .RequirePermission("organization", "can_manage_teams").WithName("ApiCreateTeam").Produces<TeamResource>(StatusCodes.Status201Created)
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        organization.MapGet("/teams/{id:guid}", GetAsync).WithTags("Teams").RequirePermission("team", "can_read").ReadOnly().WithName("ApiGetTeam")
            .Produces<TeamResource>().ProducesApiErrors();
        organization.MapPut("/teams/{id:guid}", RenameAsync).Accepts<TeamBody>("application/json").WithTags("Teams")
            .RequirePermission("team", "can_manage").WithName("ApiRenameTeam").Produces<TeamResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        organization.MapDelete("/teams/{id:guid}", DeleteAsync).WithTags("Teams").RequirePermission("team", "can_manage", auditAllow: true).WithName("ApiDeleteTeam")
            .Produces(StatusCodes.Status204NoContent).ProducesApiErrors();

        organization.MapGet("/teams/{id:guid}/members", ListMembersAsync).WithTags("Teams").RequirePermission("team", "can_read").ReadOnly().WithName("ApiListTeamMembers")
            .Produces<ApiPage<TeamMemberResource>>().ProducesApiErrors(StatusCodes.Status400BadRequest);
        organization.MapPost("/teams/{id:guid}/members", AddMemberAsync).Accepts<NewTeamMember>("application/json").WithTags("Teams")
            .RequirePermission("team", "can_manage", auditAllow: true).WithName("ApiAddTeamMember").Produces(StatusCodes.Status204NoContent)
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        organization.MapDelete("/teams/{id:guid}/members/{member}", RemoveMemberAsync).WithTags("Teams")
            .RequirePermission("team", "can_manage", auditAllow: true).WithName("ApiRemoveTeamMember").Produces(StatusCodes.Status204NoContent)
            .ProducesApiErrors(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ListAsync(string? cursor, string? limit, HttpContext context, Permissions permissions, TeamDirectory teams)
    {
        var (take, bad) = ApiPaging.Limit(limit);
        if (bad is not null)
        {
            return bad.ToProblem(context);
        }

        if (!ApiPaging.TryReadGuid(cursor, out var after))
        {
            return ApiErrors.InvalidCursor.ToProblem(context);
        }

        // Each team through the same decision as reading it (for a token: carried, in reach and held by its subject).
        var readable = await permissions.ObjectsAsync("team", "can_read", context.RequestAborted);
        var rows = await teams.PageAsync(readable, after, take + 1, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take, Resource, t => ApiPaging.Cursor(t.Id)));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, Tenant tenant, CreateTeamCommand create, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<TeamBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
            (await create.ExecuteAsync(body.Name, context.RequestAborted)).ToHttpResult(context, team =>
            {
                context.Response.Headers.ETag = ApiETags.Of(context, Resource(team));
                return TypedResults.Created($"{TenantRoutes.ApiPrefix}{TeamEndpoints.TeamPath(tenant, team.Id)}", Resource(team));
            }));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, TeamDirectory teams)
    {
        if (await teams.FindAsync(id, context.RequestAborted) is not { } team)
        {
            return Failures.NotFound.ToProblem(context);
        }

        context.Response.Headers.ETag = ApiETags.Of(context, Resource(team));
        return TypedResults.Ok(Resource(team));
    }

    private static async Task<IResult> RenameAsync(Guid id, HttpContext context, RenameTeamCommand rename, TeamDirectory teams)
    {
        if (ApiETags.IfMatch(context.Request) is not { } ifMatch)
        {
            return ApiErrors.PreconditionRequired.ToProblem(context);
        }

        var (body, failure, detail) = await ApiBody.ReadAsync<TeamBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var result = await rename.ExecuteAsync(id, body.Name, stored => ApiETags.Matches(ifMatch, ApiETags.Of(context, Resource(stored))), context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Failure!.ToProblem(context);
        }

        var renamed = (await teams.FindAsync(id, context.RequestAborted))!;
        context.Response.Headers.ETag = ApiETags.Of(context, Resource(renamed));
        return TypedResults.Ok(Resource(renamed));
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext context, DeleteTeamCommand delete) =>
        (await delete.ExecuteAsync(id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    private static async Task<IResult> ListMembersAsync(Guid id, string? cursor, string? limit, HttpContext context, TeamDirectory teams)
    {
        var (take, bad) = ApiPaging.Limit(limit);
        if (bad is not null)
        {
            return bad.ToProblem(context);
        }

        if (!ApiPaging.TryReadGuid(cursor, out var after))
        {
            return ApiErrors.InvalidCursor.ToProblem(context);
        }

        if (await teams.FindAsync(id, context.RequestAborted) is null)
        {
            return Failures.NotFound.ToProblem(context);
        }

        // A team's direct members are few: ordered here by id (people's and teams' ids never coincide), a key that
        // never changes, so pages neither repeat nor skip anyone when members come and go.
        var rows = (await teams.MembersAsync(id, context.RequestAborted))
            .Where(m => after is null || m.Subject.Id.CompareTo(after.Value) > 0).OrderBy(m => m.Subject.Id).Take(take + 1).ToList();
        return TypedResults.Ok(ApiPaging.Page(rows, take,
            m => new TeamMemberResource(m.Subject.ToString(), m.Subject.Kind, m.Subject.Id, m.Name, m.Email),
            m => ApiPaging.Cursor(m.Subject.Id)));
    }

    private static async Task<IResult> AddMemberAsync(Guid id, HttpContext context, AddTeamMemberCommand add)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<NewTeamMember>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return (await add.ExecuteAsync(id, body.Member, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());
    }

    private static async Task<IResult> RemoveMemberAsync(Guid id, string member, HttpContext context, RemoveTeamMemberCommand remove) =>
        (await remove.ExecuteAsync(id, member, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    private static TeamResource Resource(Team team) => new(team.Id, team.Name, team.CreatedAt);
}
