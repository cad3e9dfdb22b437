using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.AuditTrail.Export;

internal static class AuditTrailEndpoints
{
    /// <summary>
    /// <c>GET /o/{org}/audit/export.csv</c> and <c>.jsonl</c>, with the page's filter in the query string. A download
    /// of audit data is itself audited (in its own transaction, before the first byte leaves), and readers other than
    /// owners, admins and auditors get the tenant middleware's 404.
    /// </summary>
    public static void Map(RouteGroupBuilder organization) =>
        organization.MapGet("/audit/export.{extension:regex(^(csv|jsonl)$)}", ExportAsync)
            .RequireAuthorization()
            .RequirePermission("organization", "can_export_audit", hidden: true, auditAllow: true)
            .WithName("ExportAuditTrail");

    private static async Task<IResult> ExportAsync(
        string extension, string? actor, string? action, string? target, string? from, string? to,
        HttpContext context, CurrentActor caller, AuditTrailQuery query, IAuditLog audit, Tenant tenant, TimeProvider time)
    {
        var (filter, errors) = AuditFilter.Parse(actor, action, target, from, to, null);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["filter"] = [.. errors] }, title: "The filter is not valid.");
        }

        var format = extension == "csv" ? AuditExportFormat.Csv : AuditExportFormat.JsonLines;
        var details = filter.Describe();
        details["format"] = AuditExportWriter.Extension(format);
        var organization = tenant.RequireOrganization();
        await audit.RecordNowAsync(new(AuditTrailEvents.AuditLogExported, caller.Actor, AuditTarget.Organization(organization.Id), Details: details), context.RequestAborted);

        var name = $"audit-{organization.Slug}-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}.{AuditExportWriter.Extension(format)}";
        return Results.Stream(
            async stream => await AuditExportWriter.WriteAsync(format, query.AllAsync(filter, context.RequestAborted), stream, context.RequestAborted),
            AuditExportWriter.ContentType(format),
            name);
    }
}
