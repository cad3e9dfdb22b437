using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Siem;

/// <summary>
/// How far one audit chain has been delivered to the SIEM: every event with a sequence number up to
/// <see cref="Sequence"/> has reached the receiver. Written only after the receiver's TCP stack acknowledged the
/// frames, so a crash or outage can repeat events but never skip one (at-least-once).
/// </summary>
public sealed class SiemCursor
{
    /// <summary>The chain: the organization id ("D" format), or <see cref="SystemChain"/>.</summary>
    public string Chain { get; set; } = "";

    /// <summary>Null for the system chain; the PostgreSQL row-level-security policy keys on it.</summary>
    public Guid? OrganizationId { get; set; }

    public long Sequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public const string SystemChain = "system";

    public static string ChainKey(Guid? organizationId) => organizationId?.ToString("D") ?? SystemChain;
}

internal sealed class SiemCursorConfiguration : IEntityTypeConfiguration<SiemCursor>
{
    public void Configure(EntityTypeBuilder<SiemCursor> b)
    {
        b.ToTable("SiemCursors");
        b.HasKey(c => c.Chain);
        b.Property(c => c.Chain).HasMaxLength(36);
        b.HasIndex(c => c.OrganizationId);
    }
}
