namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// A row that belongs to exactly one organization. The data context filters every query on it by the request's
/// tenant, and on PostgreSQL a row-level-security policy on <c>OrganizationId</c> guards it a second time.
/// </summary>
public interface ITenantOwned
{
    Guid OrganizationId { get; }
}
