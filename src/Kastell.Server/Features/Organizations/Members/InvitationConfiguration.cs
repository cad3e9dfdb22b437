using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Organizations.Members;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> b)
    {
        b.ToTable("Invitations");
        b.Property(i => i.Email).HasMaxLength(254).IsRequired();
        b.Property(i => i.NormalizedEmail).HasMaxLength(254).IsRequired();
        b.Property(i => i.TokenHash).HasMaxLength(64).IsFixedLength().IsRequired();
        b.HasIndex(i => i.TokenHash).IsUnique();
        b.HasIndex(i => new { i.OrganizationId, i.NormalizedEmail });
        b.Property(i => i.Role).HasConversion<string>().HasMaxLength(20);
        b.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
