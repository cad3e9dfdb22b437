using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Domains;

public enum DomainState
{
    /// <summary>Added; its TXT record has not been checked yet.</summary>
    Pending,

    /// <summary>The TXT record was found: the organization holds the domain (and only it, see <see cref="VerifiedDomainName"/>).</summary>
    Verified,

    /// <summary>The last check did not find the record (never verified, or lost since).</summary>
    Failed,
}

/// <summary>Why the last check did not verify the domain.</summary>
public enum DomainProblem
{
    None,
    RecordMissing,
    TakenByAnotherOrganization,
}

/// <summary>
/// A domain an organization claims, with the random value it must publish in a TXT record at
/// <c>_kastell-challenge.&lt;name&gt;</c> to prove it controls the domain. Tenant-owned: several organizations may hold a
/// pending claim on one name (each with its own value), but only one can hold it verified (ADR 0021).
/// </summary>
public sealed class OrganizationDomain : ITenantOwned
{
    public const string ChallengeLabel = "_kastell-challenge";

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The name in its ASCII form (an IDN as its <c>xn--</c> A-label), lower case, without a trailing dot.</summary>
    public string Name { get; set; } = "";

    /// <summary>The value the TXT record must hold; public by design (it is published in DNS), so not a secret.</summary>
    public string Challenge { get; set; } = "";

    public DomainState State { get; set; }

    public DomainProblem Problem { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset? LastCheckedAt { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>The DNS name of the TXT record to publish.</summary>
    public string RecordName => $"{ChallengeLabel}.{Name}";
}

/// <summary>
/// The registry of verified domain names across all organizations: its primary key on the name is what makes a domain
/// belong to one organization only. Not tenant-owned on purpose: home-realm discovery must find the holder of a domain
/// before anyone is signed in, and an organization must learn that another holds a name it cannot see. It holds only
/// what DNS makes public anyway (a name and who proved it); on PostgreSQL every session may read it, and only the
/// holding organization write it (policies in the migration; ADR 0021).
/// </summary>
public sealed class VerifiedDomainName
{
    public string Name { get; set; } = "";

    public Guid OrganizationId { get; set; }

    public Guid DomainId { get; set; }

    public DateTimeOffset VerifiedAt { get; set; }
}

internal sealed class OrganizationDomainConfiguration : IEntityTypeConfiguration<OrganizationDomain>
{
    public void Configure(EntityTypeBuilder<OrganizationDomain> b)
    {
        b.ToTable("OrganizationDomains");
        b.Property(d => d.Name).HasMaxLength(DomainNames.MaxLength).IsRequired();
        b.HasIndex(d => new { d.OrganizationId, d.Name }).IsUnique();
        b.Property(d => d.Challenge).HasMaxLength(100).IsRequired();
        b.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
        b.Property(d => d.Problem).HasConversion<string>().HasMaxLength(40);
        b.Property(d => d.CreatedBy).HasMaxLength(128).IsRequired();
        b.Ignore(d => d.RecordName);
        b.HasOne<Organization>().WithMany().HasForeignKey(d => d.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VerifiedDomainNameConfiguration : IEntityTypeConfiguration<VerifiedDomainName>
{
    public void Configure(EntityTypeBuilder<VerifiedDomainName> b)
    {
        b.ToTable("VerifiedDomainNames");
        b.HasKey(v => v.Name);
        b.Property(v => v.Name).HasMaxLength(DomainNames.MaxLength);
        b.HasIndex(v => v.OrganizationId);
        b.HasIndex(v => v.DomainId).IsUnique();
        b.HasOne<Organization>().WithMany().HasForeignKey(v => v.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OrganizationDomain>().WithMany().HasForeignKey(v => v.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
