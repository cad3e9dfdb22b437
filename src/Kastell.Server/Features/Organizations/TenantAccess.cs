namespace Kastell.Server.Features.Organizations;

/// <summary>What the signed-in user may do in the organization (and Space) named by the route. Set by <see cref="TenantResolutionMiddleware"/>.</summary>
public sealed class TenantAccess
{
    public Organization? Organization { get; internal set; }

    public Space? Space { get; internal set; }

    public OrganizationRole? OrganizationRole { get; internal set; }

    public SpaceRole? SpaceRole { get; internal set; }

    public bool CanAdministerOrganization => OrganizationRole is Organizations.OrganizationRole.Owner or Organizations.OrganizationRole.Admin;

    public Organization RequireOrganization() =>
        Organization ?? throw new InvalidOperationException("This page needs an organization in its route.");

    public Space RequireSpace() => Space ?? throw new InvalidOperationException("This page needs a space in its route.");
}
