using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.ManageControls;

/// <summary>
/// The control's row locked inside a transaction, so an API update's If-Match is compared with what no one else changes
/// meanwhile: on PostgreSQL <c>SELECT … FOR UPDATE</c>; on SQLite the transaction already holds the single write lock.
/// </summary>
internal static class ControlLocks
{
    public static async Task LockControlAsync(KastellDbContext db, Guid controlId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Controls\" WHERE \"Id\" = {controlId} FOR UPDATE", cancellationToken);
        }
    }
}
