using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>A former password hash of a user, kept only to refuse its reuse.</summary>
public sealed class PasswordHistoryEntry
{
    public long Id { get; set; }

    public Guid UserId { get; set; }

    public string PasswordHash { get; set; } = "";

    public DateTimeOffset ChangedAt { get; set; }
}

internal sealed class PasswordHistoryConfiguration : IEntityTypeConfiguration<PasswordHistoryEntry>
{
    public void Configure(EntityTypeBuilder<PasswordHistoryEntry> b)
    {
        b.ToTable("PasswordHistory");
        b.HasIndex(h => new { h.UserId, h.ChangedAt });
        b.HasOne<KastellUser>().WithMany().HasForeignKey(h => h.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
