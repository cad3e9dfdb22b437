using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets;

/// <summary>The tables this feature owns, on the shared data context; other features call its queries instead.</summary>
internal static class AssetTables
{
    extension(KastellDbContext db)
    {
        public DbSet<Asset> Assets => db.Set<Asset>();

        public DbSet<AssetDependency> AssetDependencies => db.Set<AssetDependency>();
    }
}
