namespace Kastell.Server.Features.Organizations;

/// <summary>An isolated working environment inside an organization (a subsidiary, a product, an ISMS scope).</summary>
public sealed class Space : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>URL segment in <c>/o/{org}/s/{slug}</c>; unique within the organization.</summary>
    public string Slug { get; set; } = "";

    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

public enum SpaceRole
{
    Viewer = 0,
    Editor = 1,
    Manager = 2,
}

/// <summary>A user's role in one Space. Tenant-owned.</summary>
public sealed class SpaceMember : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public Guid UserId { get; set; }

    public SpaceRole Role { get; set; }
}
