namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Limits a page or endpoint under <c>/o/{org}</c> to members holding one of <see cref="Roles"/>. Read from the
/// endpoint metadata by <see cref="TenantResolutionMiddleware"/>: anyone else gets the same empty 404 as a
/// stranger to the organization, so a page's existence tells a member nothing about what it holds.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequireOrganizationRoleAttribute(params OrganizationRole[] roles) : Attribute
{
    public IReadOnlyList<OrganizationRole> Roles { get; } = roles;
}
