namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Who is asking and in which organization/space, for the current request or job. Filled from the route and the
/// authenticated session by <see cref="TenantResolver"/>, never from request bodies. Empty means "no tenant":
/// every tenant-owned query then matches nothing (fail closed).
/// </summary>
public sealed class TenantContext
{
    public Guid? UserId { get; private set; }

    public Guid? OrganizationId { get; private set; }

    public Guid? SpaceId { get; private set; }

    public void SetUser(Guid userId) => UserId = userId;

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

    public Guid RequireOrganization() =>
        OrganizationId ?? throw new InvalidOperationException("No organization in the current context.");
}
