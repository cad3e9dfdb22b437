using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Data;

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

internal sealed class PasswordHistoryConfiguration : IEntityTypeConfiguration<PasswordHistoryEntry>
{
    public void Configure(EntityTypeBuilder<PasswordHistoryEntry> b)
    {
        b.HasIndex(h => new { h.UserId, h.ChangedAt });
        b.HasOne<KastellUser>().WithMany().HasForeignKey(h => h.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> b)
    {
        b.Property(s => s.Id).HasMaxLength(64);
        b.HasIndex(s => s.UserId);
        b.HasOne<KastellUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(s => s.UserAgent).HasMaxLength(512);
        b.Property(s => s.IpAddress).HasMaxLength(64);
    }
}

internal sealed class DataKeyConfiguration : IEntityTypeConfiguration<DataKey>
{
    public void Configure(EntityTypeBuilder<DataKey> b)
    {
        b.HasIndex(k => new { k.OrganizationId, k.CreatedAt });
        // Deleting an organization deletes its data keys: the first step of crypto-shredding.
        b.HasOne<Organization>().WithMany().HasForeignKey(k => k.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.Property(k => k.WrappedKey).HasMaxLength(256).IsRequired();
    }
}

internal sealed class DataKeyRotationJobConfiguration : IEntityTypeConfiguration<DataKeyRotationJob>
{
    public void Configure(EntityTypeBuilder<DataKeyRotationJob> b)
    {
        b.ToTable("DataKeyRotations");
        b.HasOne<Organization>().WithMany().HasForeignKey(j => j.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.Property(j => j.Failure).HasMaxLength(1000);
        b.Ignore(j => j.IsPending);
    }
}

internal sealed class StoredObjectConfiguration : IEntityTypeConfiguration<StoredObject>
{
    public void Configure(EntityTypeBuilder<StoredObject> b)
    {
        b.HasOne<Space>().WithMany().HasForeignKey(o => o.SpaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Organization>().WithMany().HasForeignKey(o => o.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(o => o.SpaceId);
        b.Property(o => o.ContentType).HasMaxLength(255).IsRequired();
        // Encrypted with the organization's data key: name and hash say something about the content, the key is the content.
        b.Property(o => o.FileName).IsRequired().IsEncrypted(EncryptionScope.Organization);
        b.Property(o => o.Sha256).IsRequired().IsEncrypted(EncryptionScope.Organization);
        b.Property(o => o.ContentKey).IsRequired().IsEncrypted(EncryptionScope.Organization);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKeyRecord>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRecord> b)
    {
        b.ToTable("DataProtectionKeys");
        b.Property(k => k.FriendlyName).HasMaxLength(256);
        b.Property(k => k.Xml).IsRequired();
    }
}
