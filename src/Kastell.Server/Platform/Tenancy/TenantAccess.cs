namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// The caller's roles in the tenant the route names, set by <see cref="TenantResolutionMiddleware"/> once it has
/// decided the caller may enter. Which tenant it is lives in <see cref="Tenant"/>; this object only answers "may you".
/// </summary>
public sealed class TenantAccess
{
    public OrganizationRole? OrganizationRole { get; internal set; }

    public SpaceRole? SpaceRole { get; internal set; }

    public bool CanAdministerOrganization => OrganizationRole is Tenancy.OrganizationRole.Owner or Tenancy.OrganizationRole.Admin;
}
