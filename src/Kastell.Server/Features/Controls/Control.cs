using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Controls;

/// <summary>How far a control is put into practice.</summary>
public enum ControlStatus
{
    Planned = 0,
    NotImplemented = 1,
    PartiallyImplemented = 2,
    Implemented = 3,
}

/// <summary>
/// A control of a Space: one measure (a policy, a process, a technical setting) that answers requirements of any of
/// the frameworks the Space adopts. Tenant-owned. Its owner is a tuple (<c>control#owner</c>, a person or a team's
/// members), its Space too (<c>control#space</c>), written with the row.
/// </summary>
public sealed class Control : ITenantOwned
{
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 4000;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public ControlStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A control answering a requirement (of a framework version its Space adopted). Tenant-owned.</summary>
public sealed class ControlRequirement : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid ControlId { get; set; }

    public Guid RequirementId { get; set; }

    public DateTimeOffset LinkedAt { get; set; }

    public string LinkedBy { get; set; } = "";
}

internal sealed class ControlConfiguration : IEntityTypeConfiguration<Control>
{
    public void Configure(EntityTypeBuilder<Control> b)
    {
        b.ToTable("Controls");
        b.Property(c => c.Title).HasMaxLength(Control.MaxTitleLength).IsRequired();
        b.Property(c => c.Description).HasMaxLength(Control.MaxDescriptionLength).IsRequired();
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(30);
        b.HasIndex(c => new { c.SpaceId, c.Title });
        b.HasOne<Space>().WithMany().HasForeignKey(c => c.SpaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ControlRequirementConfiguration : IEntityTypeConfiguration<ControlRequirement>
{
    public void Configure(EntityTypeBuilder<ControlRequirement> b)
    {
        b.ToTable("ControlRequirements");
        b.Property(l => l.LinkedBy).HasMaxLength(200).IsRequired();
        b.HasIndex(l => new { l.ControlId, l.RequirementId }).IsUnique();
        b.HasIndex(l => l.RequirementId);
        b.HasOne<Control>().WithMany().HasForeignKey(l => l.ControlId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Requirement>().WithMany().HasForeignKey(l => l.RequirementId).OnDelete(DeleteBehavior.Cascade);
    }
}
