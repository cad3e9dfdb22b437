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
/// (sequence and hash), later views verify only the events after it, and at most every <see cref="BelowHeadRecheckInterval"/>
/// (per organization and process) also re-check what lies below it. That re-check reads a row per checkpoint and
/// counts the chain, so on every view it made a page of 50 events cost the whole chain's index: with it amortized, a
/// view reads the events since the last one. A deletion, truncation or forged checkpoint below the head is therefore
/// shown within that interval, not necessarily on the very next view; everything after the head still is.
/// What the re-check covers below the head: the head row itself (re-hashed, and still the remembered hash), every row at
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

    /// <summary>How often, at most, a view re-checks what lies below the remembered head (the rest of the time it verifies only what came after).</summary>
    public static readonly TimeSpan BelowHeadRecheckInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, VerifiedHead> _verified = new();

    /// <param name="Mark">The retention mark the chain started at (0: none); a prune since then means a full verification.</param>
    /// <param name="CheckpointDigest">SHA-256 over the checkpoints at or below <paramref name="DigestSequence"/>.</param>
    /// <param name="DigestSequence">The head when the rows below it were last re-checked (or fully verified).</param>
    /// <param name="BelowCheckedAt">When that was.</param>
    private sealed record VerifiedHead(
        long Sequence, string Hash, long Mark, string CheckpointDigest, long DigestSequence, int Checkpoints, DateTimeOffset FullyVerifiedAt, DateTimeOffset BelowCheckedAt);

    public async Task<AuditChainStatus> CheckAsync(Guid organization, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(organization, out var head) && now - head.FullyVerifiedAt < FullVerificationAge)
        {
            await using var scope = scopes.Enter(organization, AuditActor.System("audit-verifier"));
            var recheck = now - head.BelowCheckedAt >= BelowHeadRecheckInterval;
            if (await AdvanceAsync(scope.Services.GetRequiredService<KastellDbContext>(), organization, head, recheck, now, cancellationToken) is { } advanced)
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
            _verified[organization] = new VerifiedHead(result.HeadSequence, result.HeadHash, result.Prune?.UpToSequence ?? 0, Digest(below), result.HeadSequence, below.Count, now, now);
        }

        return new AuditChainStatus(result.Events, result.Checkpoints.Count, result.Problems, now);
    }

    /// <summary>The new head if everything checked is as expected; null sends the caller to a full verification.</summary>
    /// <param name="recheck">Re-check the rows below the head too (due every <see cref="BelowHeadRecheckInterval"/>).</param>
    private async Task<VerifiedHead?> AdvanceAsync(KastellDbContext db, Guid organization, VerifiedHead head, bool recheck, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var mark = await db.Set<AuditPrune>().AsNoTracking().Where(p => p.OrganizationId == organization).MaxAsync(p => (long?)p.UpToSequence, cancellationToken) ?? 0;
        if (mark != head.Mark)
        {
            return null;
        }

        if (recheck)
        {
            if (!await BelowHeadIntactAsync(db, organization, head, mark, cancellationToken))
            {
                return null;
            }

            var below = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.OrganizationId == organization && c.Sequence <= head.Sequence).ToListAsync(cancellationToken);
            head = head with { CheckpointDigest = Digest(below), DigestSequence = head.Sequence, Checkpoints = below.Count, BelowCheckedAt = now };
        }

        // Above the head: the verifier's fast path, continued from the head (every event's number, link and hash; the
        // new checkpoints' signatures and hashes; no checkpoint past the end, which would be truncation).
        var newCheckpoints = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.OrganizationId == organization && c.Sequence > head.Sequence).ToListAsync(cancellationToken);
        var check = new AuditChainVerifier.IntactChainCheck(organization, newCheckpoints, key, head.Sequence, head.Hash);
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

        return head with { Sequence = check.Sequence, Hash = check.Hash, Checkpoints = head.Checkpoints + newCheckpoints.Count(c => c.Sequence <= check.Sequence) };
    }

    /// <summary>
    /// Below the head: the number of rows, the checkpoints (those digested unchanged, those verified since on arrival
    /// still signed), and the rows at the head and at each checkpoint re-hashed and still the remembered or signed hash.
    /// </summary>
    private async Task<bool> BelowHeadIntactAsync(KastellDbContext db, Guid organization, VerifiedHead head, long mark, CancellationToken cancellationToken)
    {
        var checkpoints = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.OrganizationId == organization && c.Sequence <= head.Sequence).ToListAsync(cancellationToken);
        var rowsBelow = await db.Set<AuditEvent>().Where(e => e.OrganizationId == organization && e.Sequence > mark && e.Sequence <= head.Sequence).LongCountAsync(cancellationToken);
        var digested = checkpoints.Where(c => c.Sequence <= head.DigestSequence).ToList();
        var since = checkpoints.Where(c => c.Sequence > head.DigestSequence).ToList();
        if (rowsBelow != head.Sequence - mark || Digest(digested) != head.CheckpointDigest || since.Count != head.Checkpoints - digested.Count
            || !since.All(c => c.OrganizationId == organization && key.Verify(c)))
        {
            return false;
        }

        var anchors = checkpoints.Where(c => c.Sequence > mark).Select(c => c.Sequence).Append(head.Sequence).Distinct().ToList();
        var anchorRows = await db.Set<AuditEvent>().AsNoTracking().Where(e => e.OrganizationId == organization && anchors.Contains(e.Sequence)).ToListAsync(cancellationToken);
        var expected = checkpoints.Where(c => c.Sequence > mark).ToDictionary(c => c.Sequence, c => c.Hash);
        expected[head.Sequence] = head.Hash;
        return anchorRows.Count == expected.Count && anchorRows.All(e => expected.TryGetValue(e.Sequence, out var hash) && e.Hash == hash && AuditHashing.Matches(e, e.Sequence));
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
