using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Controls.Adoption;

/// <summary>
/// A Space's adoption of a framework: which version its statement of applicability answers, since when, by whom.
/// Tenant-owned. Ending an adoption keeps the row (<see cref="EndedAt"/>), so the history of what a Space answered
/// stays; adopting again starts a new row. At most one adoption per Space and framework is current.
/// </summary>
public sealed class FrameworkAdoption : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public Guid FrameworkId { get; set; }

    /// <summary>The framework's version at adoption: its requirements are the ones the Space answers.</summary>
    public Guid FrameworkVersionId { get; set; }

    public DateTimeOffset AdoptedAt { get; set; }

    /// <summary>Who adopted, as the audit log names actors.</summary>
    public string AdoptedBy { get; set; } = "";

    /// <summary>When the Space stopped answering the framework; null while adopted.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    public string? EndedBy { get; set; }
}

internal sealed class FrameworkAdoptionConfiguration : IEntityTypeConfiguration<FrameworkAdoption>
{
    public void Configure(EntityTypeBuilder<FrameworkAdoption> b)
    {
        b.ToTable("FrameworkAdoptions");
        b.Property(a => a.AdoptedBy).HasMaxLength(200).IsRequired();
        b.Property(a => a.EndedBy).HasMaxLength(200);
        // One current adoption per Space and framework; ended ones are history and may repeat. The filter's SQL is
        // the same on SQLite and PostgreSQL.
        b.HasIndex(a => new { a.SpaceId, a.FrameworkId }).IsUnique().HasFilter("\"EndedAt\" IS NULL");
        b.HasOne<Space>().WithMany().HasForeignKey(a => a.SpaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Framework>().WithMany().HasForeignKey(a => a.FrameworkId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<FrameworkVersion>().WithMany().HasForeignKey(a => a.FrameworkVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
