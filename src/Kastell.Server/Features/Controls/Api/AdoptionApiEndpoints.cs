using System.Text.Json;
using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Controls.Api;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/frameworks/…</c>: a framework of the organization's library adopted into the Space
/// (in its current version, once per Idempotency-Key), read, and ended (the adoption stays as history) — the pages'
/// commands and permission (the Space's managers). A framework the Space does not adopt is a 404 in the route; in the
/// adopt body, a framework that is not in the library is the page's bad input.
/// </summary>
internal static class AdoptionApiEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapPost("/frameworks", AdoptAsync).Accepts<AdoptionBody>("application/json").WithTags("Controls").RequirePermission("space", "can_adopt_frameworks").WithName("ApiAdoptFramework")
            .Produces<AdoptedFrameworkResource>(StatusCodes.Status201Created)
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        space.MapGet("/frameworks/{framework:guid}", GetAsync).WithTags("Controls").RequirePermission("space", "can_read_controls").ReadOnly().WithName("ApiGetAdoptedFramework")
            .Produces<AdoptedFrameworkResource>().ProducesApiErrors();
        space.MapDelete("/frameworks/{framework:guid}", EndAsync).WithTags("Controls").RequirePermission("space", "can_adopt_frameworks").WithName("ApiEndFrameworkAdoption")
            .Produces(StatusCodes.Status204NoContent).ProducesApiErrors();
    }

    private static async Task<IResult> GetAsync(Guid framework, HttpContext context, Tenant tenant, AdoptionQueries adoptions) =>
        await CurrentAsync(framework, context, tenant, adoptions) is { } adopted
            ? (IResult)TypedResults.Ok(AdoptedFrameworkResource.Of(adopted))
            : Failures.NotFound.ToProblem(context);

    private static async Task<IResult> AdoptAsync(HttpContext context, Tenant tenant, AdoptFrameworkCommand adopt, AdoptionQueries adoptions, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<AdoptionBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
        {
            var result = await adopt.ExecuteAsync(body.Framework, context.RequestAborted);
            if (result.Value is not { } adoption)
            {
                return result.Failure!.ToProblem(context);
            }

            var adopted = (await CurrentAsync(adoption.FrameworkId, context, tenant, adoptions))!;
            return TypedResults.Created($"{TenantRoutes.ApiPrefix}{ControlEndpoints.Path(tenant, $"/frameworks/{adoption.FrameworkId:D}")}", AdoptedFrameworkResource.Of(adopted));
        });
    }

    private static async Task<IResult> EndAsync(Guid framework, HttpContext context, Tenant tenant, EndAdoptionCommand end, AdoptionQueries adoptions)
    {
        if (await adoptions.FindCurrentAsync(tenant.RequireSpace().Id, framework, context.RequestAborted) is null)
        {
            return Failures.NotFound.ToProblem(context);
        }

        return (await end.ExecuteAsync(framework, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());
    }

    private static async Task<AdoptedFramework?> CurrentAsync(Guid framework, HttpContext context, Tenant tenant, AdoptionQueries adoptions) =>
        (await adoptions.CurrentAsync(tenant.RequireSpace().Id, context.RequestAborted)).FirstOrDefault(a => a.FrameworkId == framework);
}
