using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Security;

/// <summary>
/// One budget of <see cref="RateBudgets"/> (say, the invitations one person may send in an hour) as a generic cell rate
/// algorithm: a single point in time instead of a count and a refill timestamp.
/// </summary>
public sealed class RateBudget
{
    /// <summary>What is limited and for whom, e.g. <c>invite:user:&lt;id&gt;</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The budget is full while this lies in the past; each use moves it one interval on.</summary>
    public DateTimeOffset NextFreeAt { get; set; }
}

internal sealed class RateBudgetConfiguration : IEntityTypeConfiguration<RateBudget>
{
    public void Configure(EntityTypeBuilder<RateBudget> b)
    {
        b.ToTable("RateBudgets");
        b.HasKey(r => r.Key);
        b.Property(r => r.Key).HasMaxLength(100);
    }
}
