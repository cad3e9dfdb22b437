using Kastell.Server.Features.Accounts.Passwords;

namespace Kastell.Server.Features.Organizations;

/// <summary>The customer: the root of every tenant-owned row.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }

    /// <summary>URL segment in <c>/o/{slug}</c>; unique, lower-case.</summary>
    public string Slug { get; set; } = "";

    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public PasswordPolicy PasswordPolicy { get; set; } = new();

    /// <summary>Free text only the organization's members may read; encrypted at rest with the organization's data key.</summary>
    public string? ConfidentialDescription { get; set; }

    /// <summary>Days audit events are kept before they may be archived and removed; null keeps them forever (the default).</summary>
    public int? AuditRetentionDays { get; set; }
}

public enum OrganizationRole
{
    Member = 0,
    Auditor = 1,
    Admin = 2,
    Owner = 3,
}

/// <summary>A user's membership of an organization. Tenant-owned.</summary>
public sealed class OrganizationMember : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    public OrganizationRole Role { get; set; }

    public DateTimeOffset JoinedAt { get; set; }
}
