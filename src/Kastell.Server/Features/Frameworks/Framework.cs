using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Frameworks;

/// <summary>
/// A framework an organization imported (a catalog, or a profile resolved into one), e.g. "Anwenderkatalog
/// Grundschutz++". Tenant-owned. Its requirements live in versions: every import adds one, and the newest is current.
/// A re-import is recognized by the document's title, which OSCAL publishers keep across revisions (the document's
/// uuid changes with every revision by the OSCAL rules, so it cannot tie versions together).
/// </summary>
public sealed class Framework : ITenantOwned
{
    public const int MaxTitleLength = 500;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public string Title { get; set; } = "";

    /// <summary>The version whose requirements are shown and adopted; the newest import.</summary>
    public Guid? CurrentVersionId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One import of a framework: the source document's version and what changed against the version before.</summary>
public sealed class FrameworkVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid FrameworkId { get; set; }

    /// <summary>1 for the first import, then counting up.</summary>
    public int Sequence { get; set; }

    /// <summary>The document's <c>metadata/version</c>.</summary>
    public string Version { get; set; } = "";

    /// <summary>The document's <c>metadata/last-modified</c>.</summary>
    public string LastModified { get; set; } = "";

    /// <summary>The imported document's uuid (a profile's, for a profile: the resolved catalog's is generated anew).</summary>
    public string DocumentUuid { get; set; } = "";

    /// <summary>catalog or profile.</summary>
    public string SourceKind { get; set; } = "";

    public DateTimeOffset ImportedAt { get; set; }

    /// <summary>Who imported, as the audit log names actors (a user id, or <c>system:cli</c>).</summary>
    public string ImportedBy { get; set; } = "";

    public int RequirementCount { get; set; }

    public int AddedCount { get; set; }

    public int ChangedCount { get; set; }

    public int WithdrawnCount { get; set; }
}

internal sealed class FrameworkConfiguration : IEntityTypeConfiguration<Framework>
{
    public void Configure(EntityTypeBuilder<Framework> b)
    {
        b.ToTable("Frameworks");
        b.Property(f => f.Title).HasMaxLength(Framework.MaxTitleLength).IsRequired();
        b.HasIndex(f => new { f.OrganizationId, f.Title }).IsUnique();
        b.HasOne<Organization>().WithMany().HasForeignKey(f => f.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FrameworkVersionConfiguration : IEntityTypeConfiguration<FrameworkVersion>
{
    public void Configure(EntityTypeBuilder<FrameworkVersion> b)
    {
        b.ToTable("FrameworkVersions");
        b.Property(v => v.Version).HasMaxLength(200).IsRequired();
        b.Property(v => v.LastModified).HasMaxLength(100).IsRequired();
        b.Property(v => v.DocumentUuid).HasMaxLength(100).IsRequired();
        b.Property(v => v.SourceKind).HasMaxLength(20).IsRequired();
        b.Property(v => v.ImportedBy).HasMaxLength(200).IsRequired();
        b.HasIndex(v => new { v.FrameworkId, v.Sequence }).IsUnique();
        b.HasOne<Framework>().WithMany().HasForeignKey(v => v.FrameworkId).OnDelete(DeleteBehavior.Cascade);
    }
}
