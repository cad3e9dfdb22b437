using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity.Tokens;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess;

/// <summary>The feature's tables on the one data context, and the platform's token table it manages.</summary>
internal static class ApiAccessTables
{
    extension(KastellDbContext db)
    {
        public DbSet<ServiceAccount> ServiceAccounts => db.Set<ServiceAccount>();

        public DbSet<ServiceAccountSpaceRole> ServiceAccountSpaceRoles => db.Set<ServiceAccountSpaceRole>();

        public DbSet<ApiToken> ApiTokens => db.Set<ApiToken>();
    }
}
