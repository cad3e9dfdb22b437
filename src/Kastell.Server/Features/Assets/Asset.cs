using Kastell.Server.Features.Assets.Inheritance;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Assets;

/// <summary>What kind of thing an asset is (the kinds BSI's structure analysis groups by, plus people and suppliers).</summary>
public enum AssetKind
{
    Application = 0,
    Infrastructure = 1,
    Physical = 2,
    Data = 3,
    Service = 4,
    Person = 5,
    SupplierProvided = 6,
}

/// <summary>
/// An asset of a Space's inventory with its protection needs (BSI 200-2: normal, high, very high for confidentiality,
/// integrity and availability), each with its justification, and an optional override per goal that replaces what
/// the asset would inherit from the assets depending on it (needs a justification too). Tenant-owned. Its owner is a
/// tuple (<c>asset#owner</c>: a person or a team's members), its Space too (<c>asset#space</c>), written with the row.
/// </summary>
public sealed class Asset : ITenantOwned
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const int MaxJustificationLength = 1000;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public string Name { get; set; } = "";

    public AssetKind Kind { get; set; }

    public string Description { get; set; } = "";

    public ProtectionLevel Confidentiality { get; set; }

    public string ConfidentialityJustification { get; set; } = "";

    public ProtectionLevel? ConfidentialityOverride { get; set; }

    public string ConfidentialityOverrideJustification { get; set; } = "";

    public ProtectionLevel Integrity { get; set; }

    public string IntegrityJustification { get; set; } = "";

    public ProtectionLevel? IntegrityOverride { get; set; }

    public string IntegrityOverrideJustification { get; set; } = "";

    public ProtectionLevel Availability { get; set; }

    public string AvailabilityJustification { get; set; } = "";

    public ProtectionLevel? AvailabilityOverride { get; set; }

    public string AvailabilityOverrideJustification { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The asset's own assessment and override for one goal.</summary>
    public ProtectionNeed Need(ProtectionGoal goal) => goal switch
    {
        ProtectionGoal.Confidentiality => new(Confidentiality, ConfidentialityJustification, ConfidentialityOverride, ConfidentialityOverrideJustification),
        ProtectionGoal.Integrity => new(Integrity, IntegrityJustification, IntegrityOverride, IntegrityOverrideJustification),
        _ => new(Availability, AvailabilityJustification, AvailabilityOverride, AvailabilityOverrideJustification),
    };

    public void SetNeed(ProtectionGoal goal, ProtectionNeed need)
    {
        switch (goal)
        {
            case ProtectionGoal.Confidentiality:
                (Confidentiality, ConfidentialityJustification, ConfidentialityOverride, ConfidentialityOverrideJustification) = need;
                break;
            case ProtectionGoal.Integrity:
                (Integrity, IntegrityJustification, IntegrityOverride, IntegrityOverrideJustification) = need;
                break;
            default:
                (Availability, AvailabilityJustification, AvailabilityOverride, AvailabilityOverrideJustification) = need;
                break;
        }
    }

    public AssetNeeds Needs() => new(Id,
        [Confidentiality, Integrity, Availability],
        [ConfidentialityOverride, IntegrityOverride, AvailabilityOverride]);
}

/// <summary>One goal's assessment: the asset's own level with why, and an override (null: none) with why.</summary>
public sealed record ProtectionNeed(ProtectionLevel Level, string Justification, ProtectionLevel? Override, string OverrideJustification);

/// <summary>Asset <see cref="AssetId"/> depends on asset <see cref="DependsOnId"/> (both of one Space). Tenant-owned.</summary>
public sealed class AssetDependency : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid SpaceId { get; set; }

    public Guid AssetId { get; set; }

    public Guid DependsOnId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> b)
    {
        b.ToTable("Assets");
        b.Property(a => a.Name).HasMaxLength(Asset.MaxNameLength).IsRequired();
        b.Property(a => a.Description).HasMaxLength(Asset.MaxDescriptionLength).IsRequired();
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(a => a.Confidentiality).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.ConfidentialityOverride).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Integrity).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.IntegrityOverride).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Availability).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.AvailabilityOverride).HasConversion<string>().HasMaxLength(20);
        foreach (var text in new[] { nameof(Asset.ConfidentialityJustification), nameof(Asset.ConfidentialityOverrideJustification), nameof(Asset.IntegrityJustification),
                     nameof(Asset.IntegrityOverrideJustification), nameof(Asset.AvailabilityJustification), nameof(Asset.AvailabilityOverrideJustification) })
        {
            b.Property<string>(text).HasMaxLength(Asset.MaxJustificationLength).IsRequired();
        }

        b.HasIndex(a => new { a.SpaceId, a.Name });
        b.HasOne<Space>().WithMany().HasForeignKey(a => a.SpaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AssetDependencyConfiguration : IEntityTypeConfiguration<AssetDependency>
{
    public void Configure(EntityTypeBuilder<AssetDependency> b)
    {
        b.ToTable("AssetDependencies");
        b.HasIndex(d => new { d.AssetId, d.DependsOnId }).IsUnique();
        b.HasIndex(d => d.DependsOnId);
        b.HasIndex(d => d.SpaceId);
        b.HasOne<Asset>().WithMany().HasForeignKey(d => d.AssetId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Asset>().WithMany().HasForeignKey(d => d.DependsOnId).OnDelete(DeleteBehavior.Cascade);
    }
}
