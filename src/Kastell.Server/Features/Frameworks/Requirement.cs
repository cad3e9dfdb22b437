using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Frameworks;

/// <summary>
/// One control of an imported framework version, as the source states it: its id, title, statement text, parameters
/// and place in the hierarchy. Tenant-owned. Rows of a version never change; a new import writes new rows.
/// </summary>
public sealed class Requirement : ITenantOwned
{
    public const int MaxControlIdLength = 200;
    public const int MaxTitleLength = 1000;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid FrameworkVersionId { get; set; }

    /// <summary>Document order, from 0.</summary>
    public int Position { get; set; }

    /// <summary>The OSCAL control id (<c>GC.1.1</c>, <c>ac-2.1</c>).</summary>
    public string ControlId { get; set; } = "";

    public string Title { get; set; } = "";

    /// <summary>The statement, flattened to Markdown-like text with its item labels; parameters stay as OSCAL inserts.</summary>
    public string Statement { get; set; } = "";

    /// <summary>The parameters as JSON (<see cref="RequirementParameter"/>s).</summary>
    public string Parameters { get; set; } = "[]";

    /// <summary>The enclosing control for an enhancement (<c>ac-2</c> for <c>ac-2.1</c>), null at the top.</summary>
    public string? ParentControlId { get; set; }

    /// <summary>The innermost group's id (or title when it has none), null for a control outside any group.</summary>
    public string? GroupId { get; set; }

    /// <summary>The group titles from the outermost, joined by " › ".</summary>
    public string GroupPath { get; set; } = "";

    /// <summary>SHA-256 over title, statement and parameters: a re-import compares it to tell a changed requirement.</summary>
    public string ContentHash { get; set; } = "";
}

/// <summary>A parameter of a requirement as stored: its id, label, the values set and the choices offered.</summary>
public sealed record RequirementParameter(string Id, string? Label, IReadOnlyList<string> Values, IReadOnlyList<string> Choices);

public enum RequirementChangeKind
{
    Added = 0,
    Changed = 1,
    Withdrawn = 2,
}

/// <summary>What an import changed against the version before: one row per added, changed or withdrawn requirement.</summary>
public sealed class RequirementChange : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid FrameworkVersionId { get; set; }

    public string ControlId { get; set; } = "";

    public string Title { get; set; } = "";

    public RequirementChangeKind Kind { get; set; }
}

internal sealed class RequirementConfiguration : IEntityTypeConfiguration<Requirement>
{
    public void Configure(EntityTypeBuilder<Requirement> b)
    {
        b.ToTable("Requirements");
        b.Property(r => r.ControlId).HasMaxLength(Requirement.MaxControlIdLength).IsRequired();
        b.Property(r => r.Title).HasMaxLength(Requirement.MaxTitleLength).IsRequired();
        b.Property(r => r.ParentControlId).HasMaxLength(Requirement.MaxControlIdLength);
        b.Property(r => r.GroupId).HasMaxLength(Requirement.MaxControlIdLength);
        b.Property(r => r.GroupPath).HasMaxLength(2000).IsRequired();
        b.Property(r => r.ContentHash).HasMaxLength(64).IsFixedLength().IsRequired();
        b.HasIndex(r => new { r.FrameworkVersionId, r.ControlId }).IsUnique();
        b.HasIndex(r => new { r.FrameworkVersionId, r.Position });
        b.HasOne<FrameworkVersion>().WithMany().HasForeignKey(r => r.FrameworkVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RequirementChangeConfiguration : IEntityTypeConfiguration<RequirementChange>
{
    public void Configure(EntityTypeBuilder<RequirementChange> b)
    {
        b.ToTable("RequirementChanges");
        b.Property(c => c.ControlId).HasMaxLength(Requirement.MaxControlIdLength).IsRequired();
        b.Property(c => c.Title).HasMaxLength(Requirement.MaxTitleLength).IsRequired();
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(c => new { c.FrameworkVersionId, c.Kind });
        b.HasOne<FrameworkVersion>().WithMany().HasForeignKey(c => c.FrameworkVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
