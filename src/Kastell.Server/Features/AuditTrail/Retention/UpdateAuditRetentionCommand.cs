using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.AuditTrail.Retention;

/// <summary>Sets how long the organization keeps its audit events; owners and admins only (auditors read, they do not decide).</summary>
internal sealed class UpdateAuditRetentionCommand(KastellDbContext db, Tenant tenant, Permissions permissions, IAuditLog audit)
{
    public const int MinimumDays = 1;
    public const int MaximumDays = 36_500;

    public async Task<Result> ExecuteAsync(Guid callerId, int? days, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganization();
        if (!await permissions.RequireAsync("organization", tenant.RequireOrganizationId(), "can_manage_audit_retention", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (days is < MinimumDays or > MaximumDays)
        {
            return AuditTrailErrors.RetentionOutOfRange;
        }

        var stored = await db.Organizations.SingleAsync(o => o.Id == organization.Id, cancellationToken);
        var before = stored.AuditRetentionDays;
        stored.AuditRetentionDays = days;
        audit.Record(new(AuditTrailEvents.AuditRetentionChanged, AuditActor.User(callerId), AuditTarget.Organization(organization.Id),
            Details: new Dictionary<string, string>
            {
                ["before"] = before?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "forever",
                ["after"] = days?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "forever",
            }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
