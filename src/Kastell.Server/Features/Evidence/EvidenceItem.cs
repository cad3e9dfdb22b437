using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Evidence;

/// <summary>What an evidence item is: a file (stored encrypted and scanned), a link (https only) or a note.</summary>
public enum EvidenceKind
{
    File = 0,
    Link = 1,
    Note = 2,
}

/// <summary>Where an evidence item stands in its review: submitted, then accepted or rejected by a second person.</summary>
public enum EvidenceState
{
    Submitted = 0,
    Accepted = 1,
    Rejected = 2,
}

/// <summary>
/// One item of evidence in a Space. It speaks for a day (<see cref="EffectiveOn"/>) or for a period
/// (<see cref="ObservedFrom"/>–<see cref="ObservedTo"/>), never both, which is not when it was uploaded
/// (<see cref="CreatedAt"/>). Tenant-owned. Its Space, its uploader and the controls and assets it is linked to are
/// tuples (<c>evidence#space</c>, <c>#uploader</c>, <c>#control</c>, <c>#asset</c>): the visibility rule is decided on
/// them by the engine, and a second copy as rows could drift from what decides. A file item's content is in
/// <see cref="EvidenceVersion"/>s, the newest last; older versions are kept.
/// </summary>
public sealed class EvidenceItem : ITenantOwned
{
    public const int MaxTitleLength = 200;
    public const int MaxUrlLength = 2000;
    public const int MaxNoteLength = 8000;
    public const int MaxCommentLength = 2000;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public EvidenceKind Kind { get; set; }

    public string Title { get; set; } = "";

    /// <summary>The https address of a link item; empty for the others.</summary>
    public string Url { get; set; } = "";

    /// <summary>The text of a note item, or a description of a file or link.</summary>
    public string Note { get; set; } = "";

    public DateOnly? EffectiveOn { get; set; }

    public DateOnly? ObservedFrom { get; set; }

    public DateOnly? ObservedTo { get; set; }

    public DateOnly? ValidUntil { get; set; }

    public EvidenceState State { get; set; }

    /// <summary>Who submitted it (a user or a service account id); the four-eyes rule compares reviewers with it.</summary>
    public Guid? SubmittedBy { get; set; }

    public Guid? ReviewedBy { get; set; }

    public DateTimeOffset? ReviewedAt { get; set; }

    public string ReviewComment { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One version of a file evidence item: the stored (encrypted, scanned) file it points to. Tenant-owned.</summary>
public sealed class EvidenceVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public Guid EvidenceId { get; set; }

    /// <summary>1, 2, … in the order uploaded.</summary>
    public int Number { get; set; }

    /// <summary>The <see cref="StoredObject"/> with the content (an attachment: no Space viewer reads it as a file).</summary>
    public Guid StoredObjectId { get; set; }

    public Guid? UploadedBy { get; set; }

    public DateTimeOffset UploadedAt { get; set; }
}

internal sealed class EvidenceItemConfiguration : IEntityTypeConfiguration<EvidenceItem>
{
    public void Configure(EntityTypeBuilder<EvidenceItem> b)
    {
        b.ToTable("EvidenceItems");
        b.Property(e => e.Title).HasMaxLength(EvidenceItem.MaxTitleLength).IsRequired();
        // Encrypted with the organization's data key: an address can carry a token, a note says what the evidence shows.
        b.Property(e => e.Url).IsRequired().IsEncrypted(EncryptionScope.Organization);
        b.Property(e => e.Note).IsRequired().IsEncrypted(EncryptionScope.Organization);
        b.Property(e => e.ReviewComment).HasMaxLength(EvidenceItem.MaxCommentLength).IsRequired();
        b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(e => e.State).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(e => new { e.SpaceId, e.State });
        b.HasOne<Space>().WithMany().HasForeignKey(e => e.SpaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EvidenceVersionConfiguration : IEntityTypeConfiguration<EvidenceVersion>
{
    public void Configure(EntityTypeBuilder<EvidenceVersion> b)
    {
        b.ToTable("EvidenceVersions");
        b.HasIndex(v => new { v.EvidenceId, v.Number }).IsUnique();
        b.HasIndex(v => v.SpaceId);
        b.HasIndex(v => v.StoredObjectId).IsUnique();
        b.HasOne<EvidenceItem>().WithMany().HasForeignKey(v => v.EvidenceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<StoredObject>().WithMany().HasForeignKey(v => v.StoredObjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
