using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.SingleSignOn.Saml;

/// <summary>
/// An AuthnRequest Kastell sent and no response has answered yet. Tenant-owned. A response is accepted only if it
/// answers (InResponseTo) the request whose id the posting browser holds in its cookie and that is still here; the row
/// is deleted when the response arrives, whatever its outcome, so each request is answered at most once.
/// </summary>
public sealed class SamlRequest : ITenantOwned
{
    public const int MaxIdLength = 64;

    /// <summary>The AuthnRequest's ID (128 random bits).</summary>
    public string Id { get; set; } = "";

    public Guid OrganizationId { get; set; }

    public Guid ConnectionId { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class SamlRequestConfiguration : IEntityTypeConfiguration<SamlRequest>
{
    public void Configure(EntityTypeBuilder<SamlRequest> b)
    {
        b.ToTable("SamlRequests");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).HasMaxLength(SamlRequest.MaxIdLength);
        b.HasIndex(r => r.ExpiresAt);
        b.HasOne<SsoConnection>().WithMany().HasForeignKey(r => r.ConnectionId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// An assertion id that signed someone in (the replay store, <see cref="DatabaseSamlReplayStore"/>). Tenant-owned;
/// the key is a hash of the issuer and the id, so a second use of the same assertion is a key violation even when two
/// processes receive it at the same moment. Kept until the assertion could no longer pass the time checks.
/// </summary>
public sealed class SamlAssertionUse : ITenantOwned
{
    /// <summary>SHA-256 (hex) of the issuer and the assertion id.</summary>
    public string Id { get; set; } = "";

    public Guid OrganizationId { get; set; }

    public DateTimeOffset KeepUntil { get; set; }
}

internal sealed class SamlAssertionUseConfiguration : IEntityTypeConfiguration<SamlAssertionUse>
{
    public void Configure(EntityTypeBuilder<SamlAssertionUse> b)
    {
        b.ToTable("SamlAssertionUses");
        b.HasKey(u => u.Id);
        b.Property(u => u.Id).HasMaxLength(64);
        b.HasIndex(u => u.KeepUntil);
    }
}
