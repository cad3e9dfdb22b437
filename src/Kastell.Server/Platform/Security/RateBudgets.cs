using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Security;

/// <param name="RetryAfter">When refused: how long until one use is free again.</param>
public sealed record RateDecision(bool Granted, TimeSpan RetryAfter);

/// <summary>
/// "At most N per hour" budgets for actions a signed-in user can repeat to harm others (invitations: mail to strangers),
/// kept in the database (<see cref="RateBudget"/>), so every server replica shares them and a restart forgets nothing;
/// updates are compare-and-swap, so concurrent requests cannot overdraw one. A full budget allows N at once, then one
/// every hour / N.
/// </summary>
public sealed class RateBudgets(KastellDbContext db, TimeProvider time)
{
    private const int MaximumRounds = 16;

    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private DbSet<RateBudget> Budgets => db.Set<RateBudget>();

    public async Task<RateDecision> TryTakeAsync(string key, int perHour, CancellationToken cancellationToken = default)
    {
        var interval = Window / perHour;
        for (var round = 0; round < MaximumRounds; round++)
        {
            var now = time.GetUtcNow();
            var row = await ReadOrCreateAsync(key, now, cancellationToken);
            var next = (row.NextFreeAt > now ? row.NextFreeAt : now) + interval;
            if (next - now > Window)
            {
                return new RateDecision(false, next - now - Window);
            }

            if (await Budgets.Where(b => b.Key == key && b.NextFreeAt == row.NextFreeAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.NextFreeAt, next), cancellationToken) == 1)
            {
                return new RateDecision(true, TimeSpan.Zero);
            }
        }

        // Only a flood of concurrent requests on one budget gets here: refusing is the safe side.
        return new RateDecision(false, interval);
    }

    /// <summary>Gives one use back (the action did not happen after all).</summary>
    public async Task RefundAsync(string key, int perHour, CancellationToken cancellationToken = default)
    {
        var interval = Window / perHour;
        for (var round = 0; round < MaximumRounds; round++)
        {
            if (await Budgets.AsNoTracking().SingleOrDefaultAsync(b => b.Key == key, cancellationToken) is not { } row)
            {
                return;
            }

            if (await Budgets.Where(b => b.Key == key && b.NextFreeAt == row.NextFreeAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.NextFreeAt, row.NextFreeAt - interval), cancellationToken) == 1)
            {
                return;
            }
        }
    }

    private async Task<RateBudget> ReadOrCreateAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await Budgets.AsNoTracking().SingleOrDefaultAsync(b => b.Key == key, cancellationToken) is { } existing)
        {
            return existing;
        }

        var created = new RateBudget { Key = key, NextFreeAt = now };
        Budgets.Add(created);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request created it first (EF rolled back to its savepoint if a transaction was open); use theirs.
        }
        finally
        {
            db.Entry(created).State = EntityState.Detached;
        }

        return await Budgets.AsNoTracking().SingleAsync(b => b.Key == key, cancellationToken);
    }
}
