using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Audit;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        // No foreign key to Organizations: the audit trail of an organization outlives the organization.
        b.HasIndex(e => new { e.OrganizationId, e.Sequence }).IsUnique().AreNullsDistinct(false);
        b.HasIndex(e => e.OccurredAt);
        b.Property(e => e.ActorId).HasMaxLength(128);
        b.Property(e => e.TargetType).HasMaxLength(64);
        b.Property(e => e.Type).HasConversion(t => t.Value, v => new AuditEventType(v));
        b.Property(e => e.TargetId).HasMaxLength(128);
        b.Property(e => e.ClientIp).HasMaxLength(64);
        b.Property(e => e.UserAgent).HasMaxLength(512);
        b.Property(e => e.CorrelationId).HasMaxLength(64);
        b.Property(e => e.Details).HasMaxLength(2000); // text, not jsonb: the hash covers the exact stored text
        b.Property(e => e.PreviousHash).HasMaxLength(64).IsRequired();
        b.Property(e => e.Hash).HasMaxLength(64).IsRequired();
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> b)
    {
        b.HasIndex(c => new { c.OrganizationId, c.Sequence });
        b.Property(c => c.Hash).HasMaxLength(64).IsRequired();
        b.Property(c => c.KeyId).HasMaxLength(32).IsRequired();
        b.Property(c => c.Signature).HasMaxLength(200).IsRequired();
    }
}

internal sealed class AuditPruneConfiguration : IEntityTypeConfiguration<AuditPrune>
{
    public void Configure(EntityTypeBuilder<AuditPrune> b)
    {
        // Unique: one mark per cut, also if two retention runs ever got past the chain lock together.
        b.HasIndex(p => new { p.OrganizationId, p.UpToSequence }).IsUnique().AreNullsDistinct(false);
        b.Property(p => p.CheckpointHash).HasMaxLength(64).IsRequired();
        b.Property(p => p.ArchiveFile).HasMaxLength(260).IsRequired();
        b.Property(p => p.ArchiveSha256).HasMaxLength(64).IsRequired();
    }
}

internal sealed class MemberEventCopyCursorConfiguration : IEntityTypeConfiguration<MemberEventCopyCursor>
{
    public void Configure(EntityTypeBuilder<MemberEventCopyCursor> b)
    {
        b.ToTable("MemberEventCopyCursors");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).ValueGeneratedNever();
    }
}

internal sealed class MemberEventCopyMarkConfiguration : IEntityTypeConfiguration<MemberEventCopyMark>
{
    public void Configure(EntityTypeBuilder<MemberEventCopyMark> b)
    {
        b.ToTable("MemberEventCopyMarks");
        b.HasKey(m => new { m.OrganizationId, m.SystemSequence });
    }
}
