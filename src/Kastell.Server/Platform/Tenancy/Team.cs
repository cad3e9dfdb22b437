using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// A named group of an organization's members (and of other teams: teams nest), to which Space roles can be given at
/// once. The row holds what people browse — the name; who belongs to a team and what it was granted are relationship
/// tuples only (ADR 0014), written through <see cref="Memberships"/>.
/// </summary>
public sealed class Team : ITenantOwned
{
    public const int MaxNameLength = 100;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The name in upper case: unique within the organization, so "Security" and "security" cannot both exist.</summary>
    public string NormalizedName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public static string Normalize(string name) => name.Trim().ToUpperInvariant();
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> b)
    {
        b.Property(t => t.Name).HasMaxLength(Team.MaxNameLength).IsRequired();
        b.Property(t => t.NormalizedName).HasMaxLength(Team.MaxNameLength).IsRequired();
        b.HasIndex(t => new { t.OrganizationId, t.NormalizedName }).IsUnique();
        b.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
