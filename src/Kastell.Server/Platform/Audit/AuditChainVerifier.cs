namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Checks one chain held in memory: recomputes every hash, checks sequence continuity and the links between events,
/// the checkpoint signatures, and that the chain reaches the last checkpoint. Pure, so tests and tools can use it.
/// An intact chain (the normal case) takes the fast path: every event's hash and link are checked in parallel chunks
/// without allocating, while another core checks the checkpoint signatures. Only if that finds anything does the
/// locating path run, which builds the indexes needed to say what kind of damage it is and where.
/// </summary>
internal static class AuditChainVerifier
{
    /// <summary>How far back a damaged event's links are followed to find where it belongs.</summary>
    private const int MaxLinkWalk = 1000;

    /// <param name="prune">The chain's latest retention mark, if any: the chain then starts after it, at its signed checkpoint.</param>
    public static List<AuditProblem> Verify(Guid? chain, IReadOnlyList<AuditEvent> events, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, AuditPrune? prune = null)
    {
        (long Sequence, string Hash) start = prune is null ? (0, AuditHashing.Genesis) : (prune.UpToSequence, prune.CheckpointHash);
        bool signed = false, linked = false;
        Parallel.Invoke(
            () => signed = checkpoints.All(c => c.OrganizationId == chain && key.Verify(c)),
            () => linked = IsIntact(events, start.Sequence, start.Hash));
        if (signed && linked && CheckpointsAgree(events, checkpoints, start, prune))
        {
            return [];
        }

        return Locate(chain, events, checkpoints, key, prune);
    }

    /// <summary>Events chunk by chunk in parallel: numbered start+1, start+2, … without gaps, each hash and link as stored.</summary>
    private static bool IsIntact(IReadOnlyList<AuditEvent> events, long startSequence, string startHash)
    {
        const int ChunkSize = 4096;
        var chunks = (events.Count + ChunkSize - 1) / ChunkSize;
        var intact = true;
        Parallel.For(0, chunks, (chunk, state) =>
        {
            var end = Math.Min(events.Count, (chunk + 1) * ChunkSize);
            for (var i = chunk * ChunkSize; i < end && !state.ShouldExitCurrentIteration; i++)
            {
                var e = events[i];
                var previousHash = i == 0 ? startHash : events[i - 1].Hash;
                if (e.Sequence != startSequence + i + 1 || !string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal) || !AuditHashing.Matches(e, e.Sequence))
                {
                    Volatile.Write(ref intact, false);
                    state.Stop();
                }
            }
        });
        return intact;
    }

    /// <summary>On an intact event list: every checkpoint at or before the end, with the hash of the event it names; a retention mark on one.</summary>
    private static bool CheckpointsAgree(IReadOnlyList<AuditEvent> events, IReadOnlyList<AuditCheckpoint> checkpoints, (long Sequence, string Hash) start, AuditPrune? prune)
    {
        var last = start.Sequence + events.Count;
        foreach (var c in checkpoints)
        {
            if (c.Sequence > last || (c.Sequence > start.Sequence && !string.Equals(events[(int)(c.Sequence - start.Sequence - 1)].Hash, c.Hash, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return prune is null || checkpoints.Any(c => c.Sequence == prune.UpToSequence && c.Hash == prune.CheckpointHash);
    }

    /// <summary>The slow path: tells each kind of damage apart and locates it (also what it reports for an intact chain: nothing).</summary>
    private static List<AuditProblem> Locate(Guid? chain, IReadOnlyList<AuditEvent> events, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, AuditPrune? prune)
    {
        var problems = new List<AuditProblem>();
        var byHash = new Dictionary<string, AuditEvent>(StringComparer.Ordinal);
        var intact = new HashSet<AuditEvent>(ReferenceEqualityComparer.Instance);
        foreach (var e in events)
        {
            byHash.TryAdd(e.Hash, e);
            if (HashMatches(e, e.Sequence))
            {
                intact.Add(e);
            }
        }

        var groups = GroupBySequence(events);
        var previousHash = AuditHashing.Genesis;
        long previousSequence = 0;
        if (prune is not null)
        {
            // A mark counts only with a valid signed checkpoint at exactly its number and hash; otherwise the removed
            // events are reported missing like any other deletion.
            if (checkpoints.Any(c => c.OrganizationId == chain && c.Sequence == prune.UpToSequence && c.Hash == prune.CheckpointHash && key.Verify(c)))
            {
                previousHash = prune.CheckpointHash;
                previousSequence = prune.UpToSequence;
            }
            else
            {
                problems.Add(new(chain, prune.UpToSequence, AuditProblemKind.CheckpointInvalid, $"retention mark {prune.Id} names no signed checkpoint"));
            }
        }

        var previousDamaged = false;
        for (var i = 0; i < groups.Count; i++)
        {
            var row = PickGenuine(groups[i], i + 1 < groups.Count ? groups[i + 1] : [], previousHash, intact);
            foreach (var other in groups[i].Where(e => !ReferenceEquals(e, row)))
            {
                problems.Add(new(chain, other.Sequence, AuditProblemKind.Inserted, $"event {other.Id} takes a sequence number that already belongs to event {row.Id}"));
            }

            var damaged = false;
            if (row.Sequence > previousSequence + 1)
            {
                var missing = row.Sequence - 1 == previousSequence + 1 ? $"#{previousSequence + 1}" : $"#{previousSequence + 1}..#{row.Sequence - 1}";
                problems.Add(new(chain, previousSequence + 1, AuditProblemKind.Deleted, $"events {missing} are missing"));
                damaged = true;
            }

            if (!intact.Contains(row))
            {
                var original = OriginalSequence(row, byHash, intact);
                problems.Add(original is { } at && at != row.Sequence && HashMatches(row, at)
                    ? new(chain, row.Sequence, AuditProblemKind.Reordered, $"event {row.Id} was hashed as #{at} but is stored as #{row.Sequence}")
                    : new(chain, row.Sequence, AuditProblemKind.Modified, $"event {row.Id} does not match its hash"));
                damaged = true;
            }
            else if (!damaged && !previousDamaged && row.PreviousHash != previousHash)
            {
                problems.Add(new(chain, previousSequence, AuditProblemKind.Modified, $"event #{previousSequence} was re-hashed: event {row.Id} (#{row.Sequence}) does not link to it"));
                damaged = true;
            }

            previousHash = row.Hash;
            previousSequence = row.Sequence;
            previousDamaged = damaged;
        }

        CheckCheckpoints(chain, events, checkpoints, key, previousSequence, problems);
        return problems;
    }

    private static void CheckCheckpoints(Guid? chain, IReadOnlyList<AuditEvent> events, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, long lastSequence, List<AuditProblem> problems)
    {
        long lastSigned = 0;
        var bySequence = events.ToLookup(e => e.Sequence); // one pass: a scan per checkpoint was quadratic on long chains
        foreach (var checkpoint in checkpoints.OrderBy(c => c.Sequence))
        {
            if (checkpoint.OrganizationId != chain || !key.Verify(checkpoint))
            {
                problems.Add(new(chain, checkpoint.Sequence, AuditProblemKind.CheckpointInvalid, $"checkpoint {checkpoint.Id} has no valid signature"));
                continue;
            }

            lastSigned = Math.Max(lastSigned, checkpoint.Sequence);
            var at = bySequence[checkpoint.Sequence].ToList();
            if (at.Count > 0 && at.All(e => e.Hash != checkpoint.Hash))
            {
                problems.Add(new(chain, checkpoint.Sequence, AuditProblemKind.Rewritten, $"event #{checkpoint.Sequence} differs from the one signed at {checkpoint.CreatedAt:O}"));
            }
        }

        if (lastSequence < lastSigned)
        {
            problems.Add(new(chain, lastSequence + 1, AuditProblemKind.Truncated, $"the chain ends at #{lastSequence} but a signed checkpoint covers #{lastSigned}"));
        }
    }

    /// <summary>Rows grouped by sequence number, ascending, keeping their order within a group; one pass when already sorted (as loaded).</summary>
    private static List<List<AuditEvent>> GroupBySequence(IReadOnlyList<AuditEvent> events)
    {
        var sorted = events;
        for (var i = 1; i < events.Count; i++)
        {
            if (events[i].Sequence < events[i - 1].Sequence)
            {
                sorted = [.. events.OrderBy(e => e.Sequence)];
                break;
            }
        }

        var groups = new List<List<AuditEvent>>(sorted.Count);
        foreach (var e in sorted)
        {
            if (groups.Count > 0 && groups[^1][0].Sequence == e.Sequence)
            {
                groups[^1].Add(e);
            }
            else
            {
                groups.Add([e]);
            }
        }

        return groups;
    }

    /// <summary>Of events sharing a sequence number, the one the chain goes through: its successor links to it.</summary>
    private static AuditEvent PickGenuine(List<AuditEvent> group, List<AuditEvent> next, string previousHash, HashSet<AuditEvent> intact)
    {
        if (group.Count == 1)
        {
            return group[0];
        }

        var linkedFromNext = next.Select(e => e.PreviousHash).ToHashSet(StringComparer.Ordinal);
        return group.FirstOrDefault(e => intact.Contains(e) && linkedFromNext.Contains(e.Hash))
            ?? group.FirstOrDefault(e => intact.Contains(e) && e.PreviousHash == previousHash)
            ?? group[0];
    }

    /// <summary>Where a damaged event was hashed: follow its links back to an intact event (whose number is trustworthy).</summary>
    private static long? OriginalSequence(AuditEvent row, Dictionary<string, AuditEvent> byHash, HashSet<AuditEvent> intact)
    {
        var current = row;
        for (var steps = 1; steps <= MaxLinkWalk; steps++)
        {
            if (current.PreviousHash == AuditHashing.Genesis)
            {
                return steps;
            }

            if (!byHash.TryGetValue(current.PreviousHash, out var previous) || ReferenceEquals(previous, row))
            {
                return null;
            }

            if (intact.Contains(previous))
            {
                return previous.Sequence + steps;
            }

            current = previous;
        }

        return null;
    }

    private static bool HashMatches(AuditEvent e, long sequence) => AuditHashing.Matches(e, sequence);
}
