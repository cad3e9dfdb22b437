using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Runs inside every <c>SaveChangesAsync</c> that carries new audit events: makes sure a transaction is open (the
/// caller's, or one of its own that commits with the save), locks each affected chain, reads its tail and gives each
/// new event the next sequence number, the previous hash and its own hash. Every
/// <see cref="AuditOptions.CheckpointInterval"/>-th event also gets a signed checkpoint.
/// Locking: PostgreSQL takes a transaction-scoped advisory lock per chain; SQLite transactions begin IMMEDIATE and
/// so already hold the database's single write lock. Either way two writers can never take the same number.
/// </summary>
internal sealed class AuditChainSealer(AuditSigningKey key, IOptions<AuditOptions> options, TimeProvider time) : SaveChangesInterceptor
{
    /// <summary>The advisory-lock namespace of audit chains (first key of <c>pg_advisory_xact_lock(int, int)</c>).</summary>
    private const int AdvisoryLockClass = 0x4B41_5544; // "KAUD"

    private IDbContextTransaction? _ownTransaction;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db && Pending(db).Count > 0)
        {
            throw new InvalidOperationException("Audit events are written with SaveChangesAsync only.");
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not KastellDbContext db || Pending(db) is not { Count: > 0 } pending)
        {
            return result;
        }

        if (db.Database.CurrentTransaction is null)
        {
            _ownTransaction = await db.Database.BeginTransactionAsync(cancellationToken);
        }

        try
        {
            foreach (var chain in pending.GroupBy(e => e.OrganizationId))
            {
                await SealAsync(db, chain.Key, [.. chain], cancellationToken);
            }
        }
        catch
        {
            await EndOwnTransactionAsync(commit: false, cancellationToken);
            throw;
        }

        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await EndOwnTransactionAsync(commit: true, cancellationToken);
        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        await EndOwnTransactionAsync(commit: false, cancellationToken);

    public override async Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        await EndOwnTransactionAsync(commit: false, CancellationToken.None);

    internal static async Task LockChainAsync(KastellDbContext db, Guid? chain, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            var chainKey = chain?.ToString("D") ?? "system";
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockClass}, hashtext({chainKey}))", cancellationToken);
        }
    }

    /// <summary>
    /// The chain's newest event. On PostgreSQL through <c>kastell_audit_chain_tail</c>, whose plan is one index probe
    /// even when the statistics are thin (see the <c>AuditChainTail</c> migration); the plain query read the whole
    /// chain there, so every append cost more than the one before.
    /// </summary>
    internal static Task<AuditEvent?> TailAsync(KastellDbContext db, Guid? chain, CancellationToken cancellationToken) =>
        db.Database.IsNpgsql()
            ? db.Set<AuditEvent>().FromSql($"SELECT * FROM kastell_audit_chain_tail({chain}::uuid)").AsNoTracking().FirstOrDefaultAsync(cancellationToken)
            : db.Set<AuditEvent>().AsNoTracking()
                .Where(e => e.OrganizationId == chain)
                .OrderByDescending(e => e.Sequence)
                .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Locks the chain, then numbers, links, hashes and checkpoints <paramref name="events"/> after its tail.</summary>
    internal async Task SealAsync(KastellDbContext db, Guid? chain, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await LockChainAsync(db, chain, cancellationToken);
        var tail = await TailAsync(db, chain, cancellationToken);
        var sequence = tail?.Sequence ?? 0;
        var previous = tail?.Hash ?? AuditHashing.Genesis;
        var interval = options.Value.CheckpointInterval;
        foreach (var e in events)
        {
            e.Sequence = ++sequence;
            e.PreviousHash = previous;
            e.Hash = previous = AuditHashing.Compute(e);
            if (e.Sequence % interval == 0)
            {
                db.Set<AuditCheckpoint>().Add(AuditCheckpoints.Create(key, time, chain, e.Sequence, e.Hash));
            }
        }
    }

    private async Task EndOwnTransactionAsync(bool commit, CancellationToken cancellationToken)
    {
        if (_ownTransaction is not { } transaction)
        {
            return;
        }

        _ownTransaction = null;
        await using (transaction)
        {
            if (commit)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }
    }

    private static List<AuditEvent> Pending(DbContext db) =>
        [.. db.ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)];
}
