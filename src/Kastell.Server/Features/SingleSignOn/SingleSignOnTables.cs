using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary>The feature's table on the one data context.</summary>
internal static class SingleSignOnTables
{
    extension(KastellDbContext db)
    {
        public DbSet<SsoConnection> SsoConnections => db.Set<SsoConnection>();
    }
}
