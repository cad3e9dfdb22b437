using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Accounts.SignIn;

/// <summary>
/// The guess budget of one account, or of one account on one known device (<see cref="SignInThrottle"/>), as a
/// generic cell rate algorithm: a single point in time instead of a token count and a refill timestamp.
/// </summary>
public sealed class SignInThrottleBucket
{
    /// <summary><c>account:&lt;user id&gt;</c> or <c>device:&lt;device id&gt;</c>.</summary>
    public string Key { get; set; } = "";

    public Guid UserId { get; set; }

    /// <summary>
    /// The theoretical arrival time: the budget is full when this lies in the past, and each guess moves it one
    /// interval on; a guess is refused while it would lie more than the burst ahead of now.
    /// </summary>
    public DateTimeOffset NextFreeAt { get; set; }

    /// <summary>When the current run of refusals began (audited once); cleared when the budget is full again.</summary>
    public DateTimeOffset? ThrottledSince { get; set; }
}

internal sealed class SignInThrottleBucketConfiguration : IEntityTypeConfiguration<SignInThrottleBucket>
{
    public void Configure(EntityTypeBuilder<SignInThrottleBucket> b)
    {
        b.ToTable("SignInThrottles");
        b.HasKey(t => t.Key);
        b.Property(t => t.Key).HasMaxLength(64);
        b.HasIndex(t => t.UserId);
        b.HasOne<KastellUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
