using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// A creating request made with an <c>Idempotency-Key</c>: the key (per token), a hash of the request, and once it
/// finished, the answer, so a retry gets the same answer instead of a second object. Kept for a day. Tenant-owned.
/// </summary>
public sealed class IdempotencyRecord : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid TokenId { get; set; }

    public string Key { get; set; } = "";

    /// <summary>Hex SHA-256 of method, path and body (or, for a streamed upload, its length and type).</summary>
    public string RequestHash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null while the first request is still running.</summary>
    public int? Status { get; set; }

    public string? Location { get; set; }

    /// <summary>The JSON the first request answered (never a secret: token creation is not idempotent through the API).</summary>
    public string? Body { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("IdempotencyRecords");
        b.Property(r => r.Key).HasMaxLength(255).IsRequired();
        b.Property(r => r.RequestHash).HasMaxLength(64).IsRequired();
        b.Property(r => r.Location).HasMaxLength(2048);
        b.HasIndex(r => new { r.OrganizationId, r.TokenId, r.Key }).IsUnique();
        b.HasIndex(r => r.CreatedAt);
        b.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
