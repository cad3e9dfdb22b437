using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Audit;

/// <summary>Signed checkpoints: made by the sealer every N events, and on demand (the <c>audit-checkpoint</c> verb).</summary>
public sealed class AuditCheckpoints(KastellDbContext db, AuditSigningKey key, TimeProvider time)
{
    internal static AuditCheckpoint Create(AuditSigningKey key, TimeProvider time, Guid? chain, long sequence, string hash)
    {
        var checkpoint = new AuditCheckpoint
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = chain,
            Sequence = sequence,
            Hash = hash,
            CreatedAt = AuditHashing.ToStoredPrecision(time.GetUtcNow()),
            KeyId = key.KeyId,
        };
        checkpoint.Signature = key.Sign(checkpoint);
        return checkpoint;
    }

    /// <summary>Signs the current tail of the context's chain (the tenant's, or the system chain); null when the chain is empty.</summary>
    public async Task<AuditCheckpoint?> CreateAsync(Guid? chain, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AuditChainSealer.LockChainAsync(db, chain, cancellationToken);
        var tail = await AuditChainSealer.TailAsync(db, chain, cancellationToken);
        if (tail is null)
        {
            return null;
        }

        var latest = await db.Set<AuditCheckpoint>().Where(c => c.OrganizationId == chain).MaxAsync(c => (long?)c.Sequence, cancellationToken);
        if (latest == tail.Sequence)
        {
            return null;
        }

        var checkpoint = Create(key, time, chain, tail.Sequence, tail.Hash);
        db.Set<AuditCheckpoint>().Add(checkpoint);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return checkpoint;
    }
}
