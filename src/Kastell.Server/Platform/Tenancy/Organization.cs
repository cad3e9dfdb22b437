using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Tenancy;

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

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.Property(o => o.Slug).HasMaxLength(63).IsRequired();
        b.HasIndex(o => o.Slug).IsUnique();
        b.Property(o => o.Name).HasMaxLength(200).IsRequired();
        b.OwnsOne(o => o.PasswordPolicy); // stored in the Organizations row
        b.Property(o => o.ConfidentialDescription).IsEncrypted(EncryptionScope.Organization);
    }
}

internal sealed class OrganizationMemberConfiguration : IEntityTypeConfiguration<OrganizationMember>
{
    public void Configure(EntityTypeBuilder<OrganizationMember> b)
    {
        b.HasKey(m => new { m.OrganizationId, m.UserId });
        b.HasIndex(m => m.UserId);
        b.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<KastellUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
    }
}
