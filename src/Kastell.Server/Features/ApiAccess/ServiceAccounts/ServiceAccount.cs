using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.ApiAccess.ServiceAccounts;

/// <summary>
/// A machine's identity in one organization (a CI pipeline, a CMDB sync): a subject of the authorization model like a
/// person (<c>service_account:…</c>), with an organization role (member, auditor or admin — never owner) and roles in
/// Spaces, acting only through its API tokens. Disabling it revokes every token it has. Tenant-owned.
/// </summary>
public sealed class ServiceAccount : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public string Name { get; set; } = "";

    public OrganizationRole Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset? DisabledAt { get; set; }
}

/// <summary>A service account's role in one Space. Tenant-owned.</summary>
public sealed class ServiceAccountSpaceRole : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    public Guid ServiceAccountId { get; set; }

    public Guid SpaceId { get; set; }

    public SpaceRole Role { get; set; }
}

internal sealed class ServiceAccountConfiguration : IEntityTypeConfiguration<ServiceAccount>
{
    public void Configure(EntityTypeBuilder<ServiceAccount> b)
    {
        b.ToTable("ServiceAccounts");
        b.Property(s => s.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(s => new { s.OrganizationId, s.Name }).IsUnique();
        b.Property(s => s.Role).HasConversion<string>().HasMaxLength(20);
        b.Property(s => s.CreatedBy).HasMaxLength(128).IsRequired();
        b.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ServiceAccountSpaceRoleConfiguration : IEntityTypeConfiguration<ServiceAccountSpaceRole>
{
    public void Configure(EntityTypeBuilder<ServiceAccountSpaceRole> b)
    {
        b.ToTable("ServiceAccountSpaceRoles");
        b.HasKey(r => new { r.ServiceAccountId, r.SpaceId });
        b.Property(r => r.Role).HasConversion<string>().HasMaxLength(20);
        b.HasOne<ServiceAccount>().WithMany().HasForeignKey(r => r.ServiceAccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Space>().WithMany().HasForeignKey(r => r.SpaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
