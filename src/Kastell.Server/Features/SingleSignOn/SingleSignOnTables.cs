using Kastell.Server.Features.SingleSignOn.Saml;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary>The feature's tables on the one data context.</summary>
internal static class SingleSignOnTables
{
    extension(KastellDbContext db)
    {
        public DbSet<SsoConnection> SsoConnections => db.Set<SsoConnection>();

        public DbSet<SamlRequest> SamlRequests => db.Set<SamlRequest>();

        public DbSet<SamlAssertionUse> SamlAssertionUses => db.Set<SamlAssertionUse>();
    }
}
