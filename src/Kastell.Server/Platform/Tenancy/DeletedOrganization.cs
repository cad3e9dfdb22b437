using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// "Organization X was deleted at T": only the id survives the crypto-shredding. Its audit chain stays, but on
/// PostgreSQL row-level security shows a chain only to a scope entered into its organization, so without this row
/// no job could find the chain of an organization that no longer exists — the SIEM forwarder would never deliver the
/// events it had not yet sent, the deletion's own event among them. Written in the deletion's transaction. Not a
/// tenant table (it holds nothing of the tenant but the id), so it has no row-level-security policy.
/// </summary>
public sealed class DeletedOrganization
{
    public Guid Id { get; set; }

    public DateTimeOffset DeletedAt { get; set; }
}

internal sealed class DeletedOrganizationConfiguration : IEntityTypeConfiguration<DeletedOrganization>
{
    public void Configure(EntityTypeBuilder<DeletedOrganization> b)
    {
        b.ToTable("DeletedOrganizations");
        b.HasKey(d => d.Id);
        b.Property(d => d.Id).ValueGeneratedNever();
    }
}
