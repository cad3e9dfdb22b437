using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Data;

/// <summary>
/// Locks a row for the rest of the current transaction, for read-check-write sequences (an update's If-Match): on
/// PostgreSQL <c>SELECT … FOR UPDATE</c>; on SQLite the transaction already holds the database's single write lock.
/// </summary>
public static class RowLocks
{
    public static async Task LockOrganizationAsync(this KastellDbContext db, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A row lock needs a transaction.");
        }

        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Organizations\" WHERE \"Id\" = {organizationId} FOR UPDATE", cancellationToken);
        }
    }

    public static async Task LockTeamAsync(this KastellDbContext db, Guid teamId, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A row lock needs a transaction.");
        }

        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Teams\" WHERE \"Id\" = {teamId} FOR UPDATE", cancellationToken);
        }
    }
}
