using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Controls.Applicability;

/// <summary>
/// One line of a Space's statement of applicability: whether a requirement of an adopted framework applies, and why
/// (ISO/IEC 27001 6.1.3 d asks the justification for inclusions as well as exclusions, so it is always required).
/// Tenant-owned. A requirement without a line is not yet decided.
/// </summary>
public sealed class ApplicabilityEntry : ITenantOwned
{
    public const int MaxJustificationLength = 2000;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public Guid RequirementId { get; set; }

    public bool Applicable { get; set; }

    public string Justification { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

internal sealed class ApplicabilityEntryConfiguration : IEntityTypeConfiguration<ApplicabilityEntry>
{
    public void Configure(EntityTypeBuilder<ApplicabilityEntry> b)
    {
        b.ToTable("ApplicabilityEntries");
        b.Property(e => e.Justification).HasMaxLength(ApplicabilityEntry.MaxJustificationLength).IsRequired();
        b.Property(e => e.UpdatedBy).HasMaxLength(200).IsRequired();
        b.HasIndex(e => new { e.SpaceId, e.RequirementId }).IsUnique();
        b.HasOne<Space>().WithMany().HasForeignKey(e => e.SpaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Requirement>().WithMany().HasForeignKey(e => e.RequirementId).OnDelete(DeleteBehavior.Cascade);
    }
}
