using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>
/// Row locks for read-check-write sequences inside a transaction: on PostgreSQL <c>SELECT … FOR UPDATE</c>; on
/// SQLite the transaction already holds the database's single write lock.
/// </summary>
internal static class AssetLocks
{
    /// <summary>The asset's row: an update's If-Match is compared with what no one else changes meanwhile.</summary>
    public static async Task LockAssetAsync(KastellDbContext db, Guid assetId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Assets\" WHERE \"Id\" = {assetId} FOR UPDATE", cancellationToken);
        }
    }

    /// <summary>The Space's row: two dependencies added at once cannot close a cycle neither of them sees.</summary>
    public static async Task LockSpaceAsync(KastellDbContext db, Guid spaceId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Spaces\" WHERE \"Id\" = {spaceId} FOR UPDATE", cancellationToken);
        }
    }
}
