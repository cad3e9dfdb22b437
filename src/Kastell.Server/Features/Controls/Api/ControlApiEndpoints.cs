using System.Text.Json;
using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Controls.Api;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/…</c> for the Space's ISMS answers: the frameworks it adopts, its controls (list
/// cursor-paged in creation order and filtered by status and owner, read, create with Idempotency-Key, replace with
/// If-Match — 428 without, 412 when stale — and delete), a control's answers to requirements, and a framework's
/// statement of applicability (cursor-paged in the framework's order). The same permissions and commands as the
/// pages; a control of another Space or organization is a 404 like a missing one.
/// </summary>
internal static class ControlApiEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapGet("/frameworks", FrameworksAsync).WithTags("Controls").RequirePermission("space", "can_read_controls").ReadOnly().WithName("ApiListAdoptedFrameworks")
            .Produces<IReadOnlyList<AdoptedFrameworkResource>>().ProducesApiErrors();
        space.MapGet("/controls", ListAsync).WithTags("Controls").RequirePermission("space", "can_read_controls").ReadOnly().WithName("ApiListControls")
            .Produces<ApiPage<ControlSummaryResource>>().ProducesApiErrors(StatusCodes.Status400BadRequest);
        space.MapPost("/controls", CreateAsync).Accepts<ControlCreateBody>("application/json").WithTags("Controls").RequirePermission("space", "can_edit_controls").WithName("ApiCreateControl")
            .Produces<ControlResource>(StatusCodes.Status201Created)
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        space.MapGet("/controls/{id:guid}", GetAsync).WithTags("Controls").RequirePermission("control", "can_read").ReadOnly().WithName("ApiGetControl")
            .Produces<ControlResource>().ProducesApiErrors();
        space.MapPut("/controls/{id:guid}", UpdateAsync).Accepts<ControlBody>("application/json").WithTags("Controls").RequirePermission("control", "can_edit").WithName("ApiUpdateControl")
            .Produces<ControlResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        space.MapDelete("/controls/{id:guid}", DeleteAsync).WithTags("Controls").RequirePermission("control", "can_delete", auditAllow: true).WithName("ApiDeleteControl")
            .Produces(StatusCodes.Status204NoContent).ProducesApiErrors();
        space.MapPost("/controls/{id:guid}/requirements", AnswerAsync).Accepts<AnswerBody>("application/json").WithTags("Controls").RequirePermission("control", "can_edit").WithName("ApiAddControlAnswer")
            .Produces<ControlResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        space.MapDelete("/controls/{id:guid}/requirements/{requirement:guid}", UnanswerAsync).WithTags("Controls").RequirePermission("control", "can_edit").WithName("ApiRemoveControlAnswer")
            .Produces(StatusCodes.Status204NoContent).ProducesApiErrors(StatusCodes.Status400BadRequest);
        space.MapGet("/soa/{framework:guid}", SoaAsync).WithTags("Controls").RequirePermission("space", "can_read_controls").ReadOnly().WithName("ApiGetStatementOfApplicability")
            .Produces<SoaResource>().ProducesApiErrors(StatusCodes.Status400BadRequest);
        // Not read-only: every download is an audit event (ControlEndpoints.SoaDownloadAsync).
        space.MapGet("/soa/{framework:guid}/xlsx", ControlEndpoints.SoaDownloadAsync).WithTags("Controls").RequirePermission("space", "can_read_controls")
            .WithName("ApiDownloadStatementOfApplicability").Produces(StatusCodes.Status200OK, contentType: SoaWorkbook.ContentType).ProducesApiErrors();
    }

    private static async Task<IResult> FrameworksAsync(HttpContext context, Tenant tenant, AdoptionQueries adoptions) =>
        TypedResults.Ok((await adoptions.CurrentAsync(tenant.RequireSpace().Id, context.RequestAborted)).Select(AdoptedFrameworkResource.Of).ToList());

    /// <param name="status">Only controls with this implementation status (as the resources spell it: <c>implemented</c>).</param>
    /// <param name="owner">Only controls owned by this person or team (<c>user:…</c>, <c>team:…</c>).</param>
    private static async Task<IResult> ListAsync(string? cursor, string? limit, string? status, string? owner, HttpContext context, Tenant tenant, ControlQueries controls)
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

        ControlStatus? wantedStatus = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (StatusNamed(status) is not { } parsed)
            {
                return ControlsErrors.StatusInvalid.ToProblem(context);
            }

            wantedStatus = parsed;
        }

        Subject? wantedOwner = null;
        if (!string.IsNullOrEmpty(owner))
        {
            if (!Subject.TryParse(owner, out var parsed))
            {
                return ControlsErrors.OwnerInvalid.ToProblem(context);
            }

            wantedOwner = parsed;
        }

        var rows = await controls.PageAsync(tenant.RequireSpace().Id, after, take + 1, wantedStatus, wantedOwner, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take,
            r => new ControlSummaryResource(r.Id, r.Title, r.Status, r.Owner?.ToString(), r.Requirements),
            r => ApiPaging.Cursor(r.Id)));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, Tenant tenant, ControlQueries controls)
    {
        if (await controls.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted) is not { } detail)
        {
            return Failures.NotFound.ToProblem(context);
        }

        context.Response.Headers.ETag = ETag(context, detail.Control, detail.Owner);
        return TypedResults.Ok(ControlResource.Of(detail));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, Tenant tenant, CreateControlCommand create, ControlQueries controls, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<ControlCreateBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
        {
            var result = await create.ExecuteAsync(body.Title, body.Description, context.RequestAborted);
            if (result.Value is not { } control)
            {
                return result.Failure!.ToProblem(context);
            }

            var created = (await controls.FindAsync(control.SpaceId, control.Id, context.RequestAborted))!;
            context.Response.Headers.ETag = ETag(context, created.Control, created.Owner);
            return TypedResults.Created($"{TenantRoutes.ApiPrefix}{ControlEndpoints.Path(tenant, $"/controls/{control.Id:D}")}", ControlResource.Of(created));
        });
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext context, Tenant tenant, UpdateControlCommand update, ControlQueries controls)
    {
        if (ApiETags.IfMatch(context.Request) is not { } ifMatch)
        {
            return ApiErrors.PreconditionRequired.ToProblem(context);
        }

        var (body, failure, detail) = await ApiBody.ReadAsync<ControlBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var result = await update.ExecuteAsync(id, body.ToChange(), (stored, owner) => ApiETags.Matches(ifMatch, ETag(context, stored, owner)), context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Failure!.ToProblem(context);
        }

        var updated = (await controls.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted))!;
        context.Response.Headers.ETag = ETag(context, updated.Control, updated.Owner);
        return TypedResults.Ok(ControlResource.Of(updated));
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext context, DeleteControlCommand delete) =>
        (await delete.ExecuteAsync(id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    /// <summary>Links the control to a requirement; linking one it answers already changes nothing (so a retry is safe without a key).</summary>
    private static async Task<IResult> AnswerAsync(Guid id, HttpContext context, Tenant tenant, LinkRequirementCommand link, ControlQueries controls)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<AnswerBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var result = await link.LinkAsync(id, body.Framework, body.Requirement, context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Failure!.ToProblem(context);
        }

        var linked = (await controls.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted))!;
        context.Response.Headers.ETag = ETag(context, linked.Control, linked.Owner);
        return TypedResults.Ok(ControlResource.Of(linked));
    }

    private static async Task<IResult> UnanswerAsync(Guid id, Guid requirement, HttpContext context, LinkRequirementCommand link) =>
        (await link.UnlinkAsync(id, requirement, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    private static async Task<IResult> SoaAsync(Guid framework, string? cursor, string? limit, HttpContext context, Tenant tenant, AdoptionQueries adoptions, SoaQuery soa)
    {
        var (take, bad) = ApiPaging.Limit(limit);
        if (bad is not null)
        {
            return bad.ToProblem(context);
        }

        // The cursor is the last line's position + 1 (sequences are positive; positions start at 0).
        if (!ApiPaging.TryReadSequence(cursor, out var after) || after > int.MaxValue)
        {
            return ApiErrors.InvalidCursor.ToProblem(context);
        }

        var space = tenant.RequireSpace();
        if ((await adoptions.CurrentAsync(space.Id, context.RequestAborted)).FirstOrDefault(a => a.FrameworkId == framework) is not { } adoption)
        {
            return Failures.NotFound.ToProblem(context);
        }

        var lines = await soa.AfterAsync(space.Id, adoption.VersionId, after is { } a ? (int)a - 1 : null, take + 1, context.RequestAborted);
        var page = ApiPaging.Page(lines, take, l => SoaLineResource.Of(l.Line), l => ApiPaging.Cursor(l.Position + 1L));
        return TypedResults.Ok(new SoaResource(adoption.FrameworkId, adoption.Title, adoption.VersionId, adoption.Version, page.Items, page.NextCursor));
    }

    /// <summary>A status as the resources spell it (camelCase), never a number.</summary>
    private static ControlStatus? StatusNamed(string value) =>
        Enum.GetValues<ControlStatus>().Select(s => (ControlStatus?)s).FirstOrDefault(s => JsonNamingPolicy.CamelCase.ConvertName(s!.Value.ToString()) == value);

    /// <summary>The ETag of what a client can change (title, description, status, owner) with the time of the last change; not of the answers, which have their own calls.</summary>
    private static string ETag(HttpContext context, Control control, Subject? owner) =>
        ApiETags.Of(context, new { control.Id, control.Title, control.Description, Status = control.Status.ToString(), Owner = owner?.ToString(), control.UpdatedAt });
}
