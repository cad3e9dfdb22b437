using System.Text.Json;
using Kastell.Server.Features.Domains.Manage;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Domains.Api;

/// <summary>A domain of the organization, with the TXT record that proves it.</summary>
/// <param name="Name">The name in its ASCII form (an internationalized name as its <c>xn--</c> A-label).</param>
/// <param name="DisplayName">The name for people (Unicode).</param>
/// <param name="RecordName">Where the TXT record goes.</param>
/// <param name="RecordValue">What the TXT record must hold.</param>
/// <param name="Problem">Why the last check did not verify it: <c>RecordMissing</c>, <c>TakenByAnotherOrganization</c> or <c>None</c>.</param>
public sealed record DomainResource(Guid Id, string Name, string DisplayName, DomainState State, string RecordName, string RecordValue,
    DateTimeOffset CreatedAt, DateTimeOffset? LastCheckedAt, DateTimeOffset? VerifiedAt, DomainProblem Problem);

/// <param name="Name">The domain, e.g. <c>example.com</c> or <c>bücher.de</c> (at most 253 characters in ASCII form; no IP address, no public suffix alone).</param>
public sealed record NewDomain(string Name);

/// <summary>
/// <c>/api/v1/o/{org}/domains</c>: the organization's domains (list, add, read, verify now, remove), for owners and admins
/// and tokens carrying <c>organization:can_manage_domains</c>. Same permission as the page; the command checks again.
/// </summary>
internal static class DomainApiEndpoints
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/domains", ListAsync)
            .RequirePermission("organization", "can_manage_domains").ReadOnly().WithName("ApiListDomains").Produces<ApiPage<DomainResource>>().WithTags("Domains")
            .ProducesApiErrors(StatusCodes.Status400BadRequest);
        organization.MapPost("/domains", AddAsync).Accepts<NewDomain>("application/json")
            .RequirePermission("organization", "can_manage_domains", auditAllow: true).WithName("ApiAddDomain").Produces<DomainResource>(StatusCodes.Status201Created).WithTags("Domains")
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        organization.MapGet("/domains/{id:guid}", GetAsync)
            .RequirePermission("organization", "can_manage_domains").ReadOnly().WithName("ApiGetDomain").Produces<DomainResource>().WithTags("Domains").ProducesApiErrors();
        organization.MapPost("/domains/{id:guid}/verify", VerifyAsync)
            .RequirePermission("organization", "can_manage_domains", auditAllow: true).WithName("ApiVerifyDomain").Produces<DomainResource>().WithTags("Domains")
            .ProducesApiErrors(StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable);
        organization.MapDelete("/domains/{id:guid}", RemoveAsync)
            .RequirePermission("organization", "can_manage_domains", auditAllow: true).WithName("ApiRemoveDomain").Produces(StatusCodes.Status204NoContent).WithTags("Domains").ProducesApiErrors();
    }

    private static async Task<IResult> ListAsync(string? cursor, string? limit, HttpContext context, DomainList domains)
    {
        if (ApiPaging.Limit(limit) is not (var take, null) || !ApiPaging.TryReadGuid(cursor, out var after))
        {
            return (ApiPaging.Limit(limit).Failure ?? ApiErrors.InvalidCursor).ToProblem(context);
        }

        // An organization has at most a few dozen domains: ordered here by id (version 7: by creation).
        var rows = (await domains.AllAsync(context.RequestAborted)).Where(d => after is null || d.Id.CompareTo(after.Value) > 0).OrderBy(d => d.Id).Take(take + 1).ToList();
        return TypedResults.Ok(ApiPaging.Page(rows, take, Resource, d => ApiPaging.Cursor(d.Id)));
    }

    private static async Task<IResult> AddAsync(HttpContext context, CurrentActor actor, Tenant tenant, DomainCommands commands, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<NewDomain>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
            (await commands.AddAsync(body.Name, actor.Actor, context.RequestAborted)).ToHttpResult(context, domain =>
                TypedResults.Created($"{TenantRoutes.ApiPrefix}{TenantRoutes.OrganizationPath(tenant.RequireOrganization(), $"/domains/{domain.Id:D}")}", Resource(domain))));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, DomainList domains) =>
        await domains.GetAsync(id, context.RequestAborted) is { } domain
            ? TypedResults.Ok(Resource(domain))
            : Failures.NotFound.ToProblem(context);

    private static async Task<IResult> VerifyAsync(Guid id, HttpContext context, CurrentActor actor, DomainCommands commands) =>
        (await commands.VerifyAsync(id, actor.Actor, context.RequestAborted)).ToHttpResult(context, domain => TypedResults.Ok(Resource(domain)));

    private static async Task<IResult> RemoveAsync(Guid id, HttpContext context, CurrentActor actor, DomainCommands commands) =>
        (await commands.RemoveAsync(id, actor.Actor, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    internal static DomainResource Resource(OrganizationDomain d) =>
        new(d.Id, d.Name, DomainNames.Display(d.Name), d.State, d.RecordName, d.Challenge, d.CreatedAt, d.LastCheckedAt, d.VerifiedAt, d.Problem);
}
