using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Verifies every audit chain in the database: the system chain and one per organization. Each chain is read in its
/// own scope entered into that organization, so on PostgreSQL the row-level-security policies are honoured rather
/// than bypassed. Used by the <c>verify-audit</c> verb, retention and the audit page's chain indicator.
/// </summary>
public sealed class AuditVerifier(TenantScopes scopes, AuditSigningKey key)
{
    /// <summary>Events held at once on the fast path (and hashed in parallel).</summary>
    internal const int StreamChunk = 16_384;

    /// <summary>Verifies every chain; <paramref name="progress"/> hears (chains done, chains in all) after each.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default, Action<int, int>? progress = null)
    {
        var chains = await ChainsAsync(cancellationToken);
        var problems = new List<AuditProblem>();
        long events = 0;
        var checkpoints = 0;
        foreach (var (chain, index) in chains.Select((c, i) => (c, i)))
        {
            progress?.Invoke(index, chains.Count);
            var (chainEvents, chainCheckpoints, chainProblems) = await VerifyChainAsync(chain, cancellationToken);
            events += chainEvents;
            checkpoints += chainCheckpoints;
            problems.AddRange(chainProblems);
        }

        progress?.Invoke(chains.Count, chains.Count);
        return new AuditVerification(chains.Count, events, checkpoints, problems);
    }

    public async Task<(int Events, int Checkpoints, List<AuditProblem> Problems)> VerifyChainAsync(Guid? chain, CancellationToken cancellationToken = default)
    {
        var result = await VerifyChainWithHeadAsync(chain, cancellationToken);
        return (result.Events, result.Checkpoints.Count, result.Problems);
    }

    /// <summary>The same, with what the chain indicator remembers of an intact chain: its checkpoints, mark and head.</summary>
    internal async Task<AuditChainVerification> VerifyChainWithHeadAsync(Guid? chain, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.EnterChain(chain, AuditActor.System("audit-verifier"));

        var db = scope.Services.GetRequiredService<KastellDbContext>();
        // Checkpoints before events: a checkpoint is committed with its event, so every one read here has its event
        // in the later read (the other order could mistake a checkpoint sealed in between for truncation).
        var checkpoints = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.OrganizationId == chain).ToListAsync(cancellationToken);
        var prune = await db.Set<AuditPrune>().AsNoTracking().Where(p => p.OrganizationId == chain).OrderByDescending(p => p.UpToSequence).FirstOrDefaultAsync(cancellationToken);

        // Fast path: stream the chain chunk by chunk and keep none of it; an intact chain (the normal case) is done then.
        var check = new AuditChainVerifier.IntactChainCheck(chain, checkpoints, key, prune);
        var streamed = 0;
        await foreach (var chunk in AuditEventReader.ReadAsync(db, chain, StreamChunk, cancellationToken))
        {
            streamed += chunk.Count;
            if (!check.Append(chunk))
            {
                break;
            }
        }

        if (await check.CompleteAsync())
        {
            return new(streamed, checkpoints, prune, [], check.Sequence, check.Hash);
        }

        // Something is wrong: read the whole chain again and let the locating path say what and where.
        var events = new List<AuditEvent>();
        await foreach (var chunk in AuditEventReader.ReadAsync(db, chain, StreamChunk, cancellationToken))
        {
            events.AddRange(chunk);
        }

        // No fault found on the second read (the chain grew or was pruned in between): its last event is the head.
        var problems = AuditChainVerifier.Locate(chain, events, checkpoints, key, prune);
        return problems.Count == 0 && events.Count > 0
            ? new(events.Count, checkpoints, prune, problems, events[^1].Sequence, events[^1].Hash)
            : new(events.Count, checkpoints, prune, problems, 0, "");
    }

    /// <summary>
    /// The system chain, every organization, and chains of organizations that no longer exist: those visible here and
    /// those recorded in <see cref="DeletedOrganization"/>, which PostgreSQL's row-level security hides from a listing
    /// outside their organization (without them, the last events of a deleted organization would never be verified
    /// or checkpointed there).
    /// </summary>
    public async Task<List<Guid?>> ChainsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.Open(AuditActor.System("audit-verifier"));
        var db = scope.Services.GetRequiredService<KastellDbContext>();
        var organizations = await db.Organizations.AsNoTracking().Select(o => (Guid?)o.Id).ToListAsync(cancellationToken);
        var withEvents = await db.Set<AuditEvent>().AsNoTracking().Select(e => e.OrganizationId).Distinct().ToListAsync(cancellationToken);
        var withCheckpoints = await db.Set<AuditCheckpoint>().AsNoTracking().Select(c => c.OrganizationId).Distinct().ToListAsync(cancellationToken);
        var deleted = await db.Set<DeletedOrganization>().AsNoTracking().Select(d => (Guid?)d.Id).ToListAsync(cancellationToken);
        return [.. new Guid?[] { null }.Concat(organizations).Concat(withEvents).Concat(withCheckpoints).Concat(deleted).Distinct()];
    }
}

/// <summary>One chain's verification; for an intact chain also where it ends (the last event's number and hash).</summary>
internal sealed record AuditChainVerification(int Events, IReadOnlyList<AuditCheckpoint> Checkpoints, AuditPrune? Prune, List<AuditProblem> Problems, long HeadSequence, string HeadHash);
