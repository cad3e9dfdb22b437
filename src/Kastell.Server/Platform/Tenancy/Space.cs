using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Tenancy;

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

internal sealed class SpaceConfiguration : IEntityTypeConfiguration<Space>
{
    public void Configure(EntityTypeBuilder<Space> b)
    {
        b.Property(s => s.Slug).HasMaxLength(63).IsRequired();
        b.Property(s => s.Name).HasMaxLength(200).IsRequired();
        b.HasIndex(s => new { s.OrganizationId, s.Slug }).IsUnique();
        b.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SpaceMemberConfiguration : IEntityTypeConfiguration<SpaceMember>
{
    public void Configure(EntityTypeBuilder<SpaceMember> b)
    {
        b.HasKey(m => new { m.SpaceId, m.UserId });
        b.HasIndex(m => m.UserId);
        b.HasOne<Space>().WithMany().HasForeignKey(m => m.SpaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<KastellUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
    }
}
