using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>Tenancy events of the platform (block 1500).</summary>
[AuditEventBlock(1500, 1500)]
public static class TenancyEvents
{
    public static readonly AuditEventType OrganizationCreated = new(1500);
}
