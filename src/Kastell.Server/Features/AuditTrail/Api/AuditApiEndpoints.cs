using Kastell.Server.Features.AuditTrail.Export;
using Kastell.Server.Features.AuditTrail.Retention;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Features.AuditTrail.Api;

public sealed record AuditRetentionResource(int? Days);

/// <summary>
/// <c>/api/v1/o/{org}/audit-events</c>: the organization's chain, newest first, filtered as on the page (actor, action,
/// target, from, to) and cursor-paged by sequence number, each event with the same fields and hashes as the JSON
/// export, so a SIEM can check what it read against the chain. Hidden like the page (404 for those who may not read it)
/// and every read recorded. The retention period: read, and set with If-Match.
/// </summary>
internal static class AuditApiEndpoints
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapGet("/audit-events", ListAsync)
            .RequirePermission("organization", "can_read_audit", hidden: true, auditAllow: true).ReadOnly().WithName("ApiListAuditEvents").Produces<ApiPage<Dictionary<string, object?>>>().WithTags("Audit")
            .ProducesApiErrors(StatusCodes.Status400BadRequest);
        organization.MapGet("/settings/audit-retention", GetRetention)
            .RequirePermission("organization", "can_read_audit", hidden: true).ReadOnly().WithName("ApiGetAuditRetention").Produces<AuditRetentionResource>().WithTags("Audit").ProducesApiErrors();
        organization.MapPut("/settings/audit-retention", UpdateRetentionAsync).Accepts<AuditRetentionResource>("application/json")
            .RequirePermission("organization", "can_manage_audit_retention", hidden: true).WithName("ApiUpdateAuditRetention").Produces<AuditRetentionResource>().WithTags("Audit")
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
    }

    private static async Task<IResult> ListAsync(
        string? actor, string? action, string? target, string? from, string? to, string? cursor, string? limit,
        HttpContext context, AuditTrailQuery query, IStringLocalizer<Strings> strings)
    {
        var (filter, errors) = AuditFilter.Parse(actor, action, target, from, to, null);
        if (errors.Count > 0)
        {
            return ApiErrors.InvalidRequest.ToProblem(context, string.Join(" ", errors.Select(e => strings[e].Value)));
        }

        var (take, bad) = ApiPaging.Limit(limit);
        if (bad is not null)
        {
            return bad.ToProblem(context);
        }

        if (!ApiPaging.TryReadSequence(cursor, out var before))
        {
            return ApiErrors.InvalidCursor.ToProblem(context);
        }

        var rows = await query.BeforeAsync(filter, before, take + 1, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take, AuditExportWriter.Record, e => ApiPaging.Cursor(e.Sequence)));
    }

    private static IResult GetRetention(HttpContext context, Tenant tenant)
    {
        var resource = new AuditRetentionResource(tenant.RequireOrganization().AuditRetentionDays);
        context.Response.Headers.ETag = ApiETags.Of(context, resource);
        return TypedResults.Ok(resource);
    }

    private static async Task<IResult> UpdateRetentionAsync(HttpContext context, CurrentActor actor, UpdateAuditRetentionCommand update)
    {
        if (ApiETags.IfMatch(context.Request) is not { } ifMatch)
        {
            return ApiErrors.PreconditionRequired.ToProblem(context);
        }

        var (body, failure, detail) = await ApiBody.ReadAsync<AuditRetentionResource>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var result = await update.ExecuteAsync(actor.Actor, body.Days, stored => ApiETags.Matches(ifMatch, ApiETags.Of(context, new AuditRetentionResource(stored))), context.RequestAborted);
        return result.ToHttpResult(context, () =>
        {
            context.Response.Headers.ETag = ApiETags.Of(context, body);
            return TypedResults.Ok(body);
        });
    }
}
