using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Controls.Api;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/soa/{framework}/requirements/{requirement}</c>: one line of the statement of
/// applicability of a framework the Space adopts — read with its ETag, and decided (applicable or not, with the
/// justification the page asks for either way) through the page's command. A line that is decided already is changed
/// only with If-Match (428 without, 412 when stale, compared with the line locked); an undecided line may be decided
/// without. A framework the Space does not adopt, or a requirement not of the adopted version, is a 404.
/// </summary>
internal static class ApplicabilityApiEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapGet("/soa/{framework:guid}/requirements/{requirement:guid}", GetAsync).WithTags("Controls").RequirePermission("space", "can_read_controls").ReadOnly()
            .WithName("ApiGetApplicability").Produces<SoaLineResource>().ProducesApiErrors();
        space.MapPut("/soa/{framework:guid}/requirements/{requirement:guid}", DecideAsync).Accepts<ApplicabilityBody>("application/json").WithTags("Controls")
            .RequirePermission("space", "can_edit_controls").WithName("ApiDecideApplicability")
            .Produces<SoaLineResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
    }

    private static async Task<IResult> GetAsync(Guid framework, Guid requirement, HttpContext context, Tenant tenant, AdoptionQueries adoptions, SoaQuery soa)
    {
        if (await LineAsync(framework, requirement, context, tenant, adoptions, soa) is not { } found)
        {
            return Failures.NotFound.ToProblem(context);
        }

        context.Response.Headers.ETag = ETag(context, requirement, found.Entry);
        return TypedResults.Ok(SoaLineResource.Of(found.Line));
    }

    private static async Task<IResult> DecideAsync(Guid framework, Guid requirement, HttpContext context, Tenant tenant, AdoptionQueries adoptions, SoaQuery soa, RecordApplicabilityCommand record)
    {
        var ifMatch = ApiETags.IfMatch(context.Request);
        var (body, failure, detail) = await ApiBody.ReadAsync<ApplicabilityBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        if (await LineAsync(framework, requirement, context, tenant, adoptions, soa) is null)
        {
            return Failures.NotFound.ToProblem(context);
        }

        var result = await record.ExecuteAsync(requirement, body.Applicable ? "yes" : "no", body.Justification, stored => Precondition(context, requirement, ifMatch, stored), context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Failure!.ToProblem(context);
        }

        var decided = (await LineAsync(framework, requirement, context, tenant, adoptions, soa))!.Value;
        context.Response.Headers.ETag = ETag(context, requirement, decided.Entry);
        return TypedResults.Ok(SoaLineResource.Of(decided.Line));
    }

    /// <summary>A decided line needs the ETag it was read with; an undecided one needs none, but one sent must still match.</summary>
    private static Failure? Precondition(HttpContext context, Guid requirement, IReadOnlyList<string>? ifMatch, ApplicabilityEntry? stored) =>
        ifMatch is null
            ? stored is null ? null : ApiErrors.PreconditionRequired
            : ApiETags.Matches(ifMatch, ETag(context, requirement, stored)) ? null : ApiErrors.PreconditionFailed;

    private static async Task<(SoaLine Line, ApplicabilityEntry? Entry)?> LineAsync(Guid framework, Guid requirement, HttpContext context, Tenant tenant, AdoptionQueries adoptions, SoaQuery soa)
    {
        var space = tenant.RequireSpace();
        return await adoptions.FindCurrentAsync(space.Id, framework, context.RequestAborted) is { } adoption
            ? await soa.LineAsync(space.Id, adoption.FrameworkVersionId, requirement, context.RequestAborted)
            : null;
    }

    /// <summary>The ETag of the decision (an undecided line has one too) with the time of its last change; not of the answering controls, which change through the controls.</summary>
    private static string ETag(HttpContext context, Guid requirement, ApplicabilityEntry? entry) =>
        ApiETags.Of(context, new { Requirement = requirement, Applicable = entry?.Applicable, Justification = entry?.Justification, UpdatedAt = entry?.UpdatedAt });
}
