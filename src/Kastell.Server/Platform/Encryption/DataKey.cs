using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// A 256-bit data key, stored only wrapped by a key-encryption key. One per organization (its fields), plus
/// platform keys (<see cref="OrganizationId"/> null) for secrets that belong to users, not to an organization.
/// The newest key of a scope encrypts new values; older ones stay for decryption until re-encryption (next slice).
/// </summary>
public sealed class DataKey
{
    public Guid Id { get; set; }

    /// <summary>Null for the platform key.</summary>
    public Guid? OrganizationId { get; set; }

    /// <summary>The KEK version <see cref="WrappedKey"/> is wrapped with; changes on KEK rotation.</summary>
    public int KekVersion { get; set; }

    /// <summary>[nonce 12][wrapped key 32][tag 16]; associated data binds it to <see cref="Id"/> and the scope.</summary>
    public byte[] WrappedKey { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>What the wrapped key is bound to, so a wrapped key copied to another row or scope fails to unwrap.</summary>
    internal static byte[] WrapAssociatedData(Guid keyId, Guid? organizationId) =>
        System.Text.Encoding.UTF8.GetBytes($"kastell/data-key/v1\n{keyId:N}\n{(organizationId is { } org ? org.ToString("N") : "platform")}");
}

/// <summary>One element of the ASP.NET Core data-protection key ring; its secret is encrypted by <see cref="KekXmlEncryptor"/>.</summary>
public sealed class DataProtectionKeyRecord
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public string Xml { get; set; } = "";
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

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKeyRecord>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRecord> b)
    {
        b.ToTable("DataProtectionKeys");
        b.Property(k => k.FriendlyName).HasMaxLength(256);
        b.Property(k => k.Xml).IsRequired();
    }
}
