using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Identity.Tokens;

/// <summary>
/// A token for the HTTP API: a person's personal access token (<see cref="UserId"/>) or a service account's
/// (<see cref="ServiceAccountId"/>), for one organization, optionally limited to some of its Spaces and always to a
/// list of the model's permissions. Only the SHA-256 of the secret is stored; the secret is shown once at creation.
/// Not a tenant row: a request's token is looked up by its hash before the tenant is known (as a session is), and
/// every query names the organization itself.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The person a personal access token acts for; null for a service account's token.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The service account a token acts for; null for a personal access token.</summary>
    public Guid? ServiceAccountId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The token's first characters (prefix and four of the secret), to recognise it in lists and logs.</summary>
    public string Hint { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the whole token.</summary>
    public string SecretHash { get; set; } = "";

    /// <summary>The permissions the token may use, <c>type:permission</c> separated by spaces (<see cref="ApiTokenReach"/>).</summary>
    public string Permissions { get; set; } = "";

    /// <summary>The Spaces the token is limited to (ids separated by spaces); null for the whole organization.</summary>
    public string? Spaces { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who created it (a user id, or the system for the command line).</summary>
    public string CreatedBy { get; set; } = "";

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Roughly when it was last used (updated at most every few minutes; the audit trail has every use).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("ApiTokens");
        b.Property(t => t.Name).HasMaxLength(100).IsRequired();
        b.Property(t => t.Hint).HasMaxLength(32).IsRequired();
        b.Property(t => t.SecretHash).HasMaxLength(64).IsRequired();
        b.HasIndex(t => t.SecretHash).IsUnique();
        b.Property(t => t.Permissions).HasMaxLength(4000).IsRequired();
        b.Property(t => t.Spaces).HasMaxLength(4000);
        b.Property(t => t.CreatedBy).HasMaxLength(128).IsRequired();
        b.HasIndex(t => t.OrganizationId);
        b.HasIndex(t => t.UserId);
        b.HasIndex(t => t.ServiceAccountId);
        b.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<KastellUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
