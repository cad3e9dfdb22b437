using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Domains;

/// <summary>The feature's tables on the one data context.</summary>
internal static class DomainTables
{
    extension(KastellDbContext db)
    {
        /// <summary>The request organization's claims (tenant-owned).</summary>
        public DbSet<OrganizationDomain> OrganizationDomains => db.Set<OrganizationDomain>();

        /// <summary>Every verified domain name of every organization: readable across tenants, written by the holder only.</summary>
        public DbSet<VerifiedDomainName> VerifiedDomainNames => db.Set<VerifiedDomainName>();
    }
}
