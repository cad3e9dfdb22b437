namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// The one tenant object of a request or job: which organization (and Space) it works in, as ids for the query
/// filters and row-level security, and, once resolved from the route, as the loaded rows for pages and commands.
/// Filled from the route (<see cref="TenantResolutionMiddleware"/>) or by <see cref="TenantScopes"/> for jobs, never
/// from request bodies. Empty means "no tenant": every tenant-owned query then matches nothing (fail closed).
/// Which tenant a request names is decided here; whether the caller may enter it is decided apart from it, so a
/// tenant page open to anonymous readers (the coming trust center) can be resolved without any membership.
/// </summary>
public sealed class Tenant
{
    public Guid? OrganizationId { get; private set; }

    public Guid? SpaceId { get; private set; }

    /// <summary>The organization the route named, once resolved; null for jobs that entered by id.</summary>
    public Organization? Organization { get; private set; }

    /// <summary>The Space the route named, once resolved.</summary>
    public Space? Space { get; private set; }

    /// <summary>Enters an organization (and optionally one of its Spaces) by id.</summary>
    public void Enter(Guid organizationId, Guid? spaceId = null)
    {
        if (OrganizationId is { } current && current != organizationId)
        {
            // One request, one tenant: switching mid-request would mix data of two customers.
            throw new InvalidOperationException("The tenant of a request cannot change once set.");
        }

        OrganizationId = organizationId;
        SpaceId = spaceId;
    }

    /// <summary>Enters the organization (and Space) the route named, keeping the loaded rows.</summary>
    internal void Resolve(Organization organization, Space? space = null)
    {
        if (space is not null && space.OrganizationId != organization.Id)
        {
            throw new InvalidOperationException("A Space of another organization cannot be entered.");
        }

        Enter(organization.Id, space?.Id);
        Organization = organization;
        Space = space;
    }

    public Guid RequireOrganizationId() =>
        OrganizationId ?? throw new InvalidOperationException("No organization in the current context.");

    public Organization RequireOrganization() =>
        Organization ?? throw new InvalidOperationException("This page or command needs an organization in its route.");

    public Space RequireSpace() => Space ?? throw new InvalidOperationException("This page or command needs a Space in its route.");
}
