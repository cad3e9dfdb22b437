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

    /// <param name="precondition">Checked against the stored period with the organization's row locked (an API update's If-Match); false refuses with 412.</param>
    public async Task<Result> ExecuteAsync(AuditActor actor, int? days, Func<int?, bool>? precondition = null, CancellationToken cancellationToken = default)
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

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockOrganizationAsync(organization.Id, cancellationToken);
        var stored = await db.Organizations.SingleAsync(o => o.Id == organization.Id, cancellationToken);
        if (precondition is not null && !precondition(stored.AuditRetentionDays))
        {
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

        var before = stored.AuditRetentionDays;
        stored.AuditRetentionDays = days;
        audit.Record(new(AuditTrailEvents.AuditRetentionChanged, actor, AuditTarget.Organization(organization.Id),
            Details: new Dictionary<string, string>
            {
                ["before"] = before?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "forever",
                ["after"] = days?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "forever",
            }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Done;
    }
}
