using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// The record of one file in a Space's storage container. Its content key (the AES-256 key of its chunks), name
/// and SHA-256 are encrypted with the organization's data key: rotating that key re-encrypts them, and destroying it
/// (deleting the organization) leaves the stored file unreadable. Tenant-owned.
/// </summary>
public sealed class StoredObject : ITenantOwned
{
    /// <summary>Also the object's name in the container and bound into every chunk.</summary>
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public string FileName { get; set; } = "";

    public string ContentType { get; set; } = "application/octet-stream";

    /// <summary>Plaintext length in bytes.</summary>
    public long Size { get; set; }

    /// <summary>Lower-case hex SHA-256 of the plaintext, checked whenever the file is read from start to end.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Base64 of the file's own AES-256 key.</summary>
    public string ContentKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The user who uploaded the file; null for files stored by the system (or a user since deleted).</summary>
    public Guid? UploadedBy { get; set; }

    /// <summary>Only <see cref="StoredObjectStatus.Available"/> files are shown to users.</summary>
    public StoredObjectStatus Status { get; set; } = StoredObjectStatus.Available;

    /// <summary>
    /// The content of another record (an evidence item's version), which decides who reads it: not one of the Space's
    /// files — no <c>file#space</c> tuple (so no Space viewer reads it as a file) and not in the Space's file lists.
    /// </summary>
    public bool Attachment { get; set; }
}

/// <summary>Stored as a number: append only.</summary>
public enum StoredObjectStatus
{
    Available = 0,

    /// <summary>Stored encrypted but not yet scanned for malware (the scanner was unavailable); hidden from users.</summary>
    Quarantined = 1,
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
