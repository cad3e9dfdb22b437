using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Audit;

/// <summary>What the audit page's chain indicator shows.</summary>
/// <param name="FullyVerifiedAt">When the whole chain was last verified from its start (or retention mark).</param>
public sealed record AuditChainStatus(long Events, int Checkpoints, IReadOnlyList<AuditProblem> Problems, DateTimeOffset FullyVerifiedAt)
{
    public bool IsIntact => Problems.Count == 0;
}

/// <summary>
/// The audit page's chain indicator, incremental: the first view verifies the whole chain and remembers its head
/// (sequence and hash), later views verify only the events after it and re-check, cheaply, what lies below it.
/// What a view re-checks below the head: the head row itself (re-hashed, and still the remembered hash), every row at
/// a signed checkpoint (re-hashed, and still the signed hash), the set of checkpoints (a digest), the number of rows
/// (gap-free: nothing deleted or inserted) and the retention mark. What it does not: the content of the other rows
/// below the head — a row edited together with its stored hash, or two rows swapped. Those are found by the full
/// verification, which the indicator repeats when the remembered state is older than <see cref="FullVerificationAge"/>,
/// and by the <c>verify-audit</c> verb. Anything unexpected on the incremental path falls back to a full
/// verification at once, which locates the problem; a broken chain is never remembered.
/// </summary>
/// <remarks>
/// Remembered in memory (per process, keyed by organization), not in a table: a "verified up to here" row in the
/// same database could be rewritten by whoever rewrites the events, and would then vouch for the forgery. In memory it
/// is out of the database's reach; the cost is a full verification after each restart and on each instance, and one
/// small entry per organization viewed.
/// </remarks>
public sealed class AuditChainIndicator(TenantScopes scopes, AuditVerifier verifier, AuditSigningKey key, TimeProvider time)
{
    /// <summary>A remembered head older than this is dropped and the whole chain verified again.</summary>
    public static readonly TimeSpan FullVerificationAge = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<Guid, VerifiedHead> _verified = new();

    /// <param name="Mark">The retention mark the chain started at (0: none); a prune since then means a full verification.</param>
    /// <param name="CheckpointDigest">SHA-256 over the checkpoints at or below the head.</param>
    private sealed record VerifiedHead(long Sequence, string Hash, long Mark, string CheckpointDigest, int Checkpoints, DateTimeOffset FullyVerifiedAt);

    public async Task<AuditChainStatus> CheckAsync(Guid organization, CancellationToken cancellationToken = default)
    {
        if (_verified.TryGetValue(organization, out var head) && time.GetUtcNow() - head.FullyVerifiedAt < FullVerificationAge)
        {
            await using var scope = scopes.Enter(organization, AuditActor.System("audit-verifier"));
            if (await AdvanceAsync(scope.Services.GetRequiredService<KastellDbContext>(), organization, head, cancellationToken) is { } advanced)
            {
                _verified[organization] = advanced;
                return new AuditChainStatus(advanced.Sequence - advanced.Mark, advanced.Checkpoints, [], advanced.FullyVerifiedAt);
            }
        }

        return await VerifyFullyAsync(organization, cancellationToken);
    }

    /// <summary>What <c>verify-audit</c> does for the chain (streamed, the same code), remembering the head of an intact one.</summary>
    private async Task<AuditChainStatus> VerifyFullyAsync(Guid organization, CancellationToken cancellationToken)
    {
        _verified.TryRemove(organization, out _);
        var now = time.GetUtcNow();
        var result = await verifier.VerifyChainWithHeadAsync(organization, cancellationToken);
        if (result.Problems.Count == 0 && result.Events > 0)
        {
            var below = result.Checkpoints.Where(c => c.Sequence <= result.HeadSequence).ToList();
            _verified[organization] = new VerifiedHead(result.HeadSequence, result.HeadHash, result.Prune?.UpToSequence ?? 0, Digest(below), below.Count, now);
        }

        return new AuditChainStatus(result.Events, result.Checkpoints.Count, result.Problems, now);
    }

    /// <summary>The new head if everything checked is as expected; null sends the caller to a full verification.</summary>
    private async Task<VerifiedHead?> AdvanceAsync(KastellDbContext db, Guid organization, VerifiedHead head, CancellationToken cancellationToken)
    {
        var checkpoints = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.OrganizationId == organization).OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        var mark = await db.Set<AuditPrune>().AsNoTracking().Where(p => p.OrganizationId == organization).MaxAsync(p => (long?)p.UpToSequence, cancellationToken) ?? 0;
        if (mark != head.Mark)
        {
            return null;
        }

        // Below the head: the number of rows, the set of checkpoints, and the rows at the head and at each checkpoint.
        var rowsBelow = await db.Set<AuditEvent>().Where(e => e.OrganizationId == organization && e.Sequence > mark && e.Sequence <= head.Sequence).LongCountAsync(cancellationToken);
        var oldCheckpoints = checkpoints.Where(c => c.Sequence <= head.Sequence).ToList();
        if (rowsBelow != head.Sequence - mark || Digest(oldCheckpoints) != head.CheckpointDigest)
        {
            return null;
        }

        var anchors = oldCheckpoints.Where(c => c.Sequence > mark).Select(c => c.Sequence).Append(head.Sequence).Distinct().ToList();
        var anchorRows = await db.Set<AuditEvent>().AsNoTracking().Where(e => e.OrganizationId == organization && anchors.Contains(e.Sequence)).ToListAsync(cancellationToken);
        var expected = oldCheckpoints.Where(c => c.Sequence > mark).ToDictionary(c => c.Sequence, c => c.Hash);
        expected[head.Sequence] = head.Hash;
        if (anchorRows.Count != expected.Count || anchorRows.Any(e => !expected.TryGetValue(e.Sequence, out var hash) || e.Hash != hash || !AuditHashing.Matches(e, e.Sequence)))
        {
            return null;
        }

        // Above the head: the verifier's fast path, continued from the head (every event's number, link and hash; the
        // new checkpoints' signatures and hashes; no checkpoint past the end, which would be truncation).
        var check = new AuditChainVerifier.IntactChainCheck(organization, checkpoints, key, head.Sequence, head.Hash);
        await foreach (var chunk in AuditEventReader.ReadAsync(db, organization, head.Sequence, AuditVerifier.StreamChunk, cancellationToken))
        {
            if (!check.Append(chunk))
            {
                return null;
            }
        }

        if (!await check.CompleteAsync())
        {
            return null;
        }

        var below = checkpoints.Where(c => c.Sequence <= check.Sequence).ToList();
        return head with { Sequence = check.Sequence, Hash = check.Hash, CheckpointDigest = Digest(below), Checkpoints = below.Count };
    }

    private static string Digest(IEnumerable<AuditCheckpoint> checkpoints)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var c in checkpoints.OrderBy(c => c.Sequence).ThenBy(c => c.Id))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(string.Join('|', c.Id.ToString("N"), c.OrganizationId?.ToString("N") ?? "",
                c.Sequence.ToString(CultureInfo.InvariantCulture), c.Hash, c.KeyId, c.Signature) + "\n"));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
