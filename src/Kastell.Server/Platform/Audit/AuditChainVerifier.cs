namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Checks one chain held in memory: recomputes every hash, checks sequence continuity and the links between events,
/// the checkpoint signatures, and that the chain reaches the last checkpoint. Pure, so tests and tools can use it.
/// An intact chain (the normal case) takes the fast path (<see cref="IntactChainCheck"/>): every event's hash and link
/// are checked in parallel chunks without allocating, while another core checks the checkpoint signatures. Only if
/// that finds anything does the locating path run, which builds the indexes needed to say what kind of damage it is
/// and where.
/// </summary>
internal static class AuditChainVerifier
{
    /// <summary>How far back a damaged event's links are followed to find where it belongs.</summary>
    private const int MaxLinkWalk = 1000;

    /// <param name="prune">The chain's latest retention mark, if any: the chain then starts after it, at its signed checkpoint.</param>
    public static List<AuditProblem> Verify(Guid? chain, IReadOnlyList<AuditEvent> events, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, AuditPrune? prune = null)
    {
        var check = new IntactChainCheck(chain, checkpoints, key, prune);
        return check.Append(events) && check.Complete() ? [] : Locate(chain, events, checkpoints, key, prune);
    }

    /// <summary>
    /// The fast path, fed the chain in order (all at once, or chunk by chunk as it streams from the database): true
    /// only while everything is exactly as sealed. The first false means the locating path has to run.
    /// </summary>
    internal sealed class IntactChainCheck
    {
        private const int ParallelChunk = 4096;
        private readonly AuditCheckpoint[] _checkpoints;
        private readonly AuditPrune? _prune;
        private readonly Task<bool> _signatures;
        private int _nextCheckpoint;
        private bool _intact = true;

        public IntactChainCheck(Guid? chain, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, AuditPrune? prune)
            : this(chain, checkpoints, key, prune, prune?.UpToSequence ?? 0, prune?.CheckpointHash ?? AuditHashing.Genesis)
        {
        }

        /// <summary>
        /// Continues a chain already verified up to event <paramref name="sequence"/> with <paramref name="hash"/>:
        /// checkpoints at or below it are skipped like those below a retention mark (the caller vouches for them).
        /// </summary>
        public IntactChainCheck(Guid? chain, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, long sequence, string hash)
            : this(chain, [.. checkpoints.Where(c => c.Sequence > sequence)], key, null, sequence, hash)
        {
        }

        private IntactChainCheck(Guid? chain, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, AuditPrune? prune, long sequence, string hash)
        {
            _checkpoints = [.. checkpoints.OrderBy(c => c.Sequence)];
            _prune = prune;
            (Sequence, Hash) = (sequence, hash);
            // Signatures do not depend on the events: another core checks them while this one hashes.
            _signatures = Task.Run(() => _checkpoints.All(c => c.OrganizationId == chain && key.Verify(c)));
            while (_nextCheckpoint < _checkpoints.Length && _checkpoints[_nextCheckpoint].Sequence <= Sequence)
            {
                _nextCheckpoint++; // before the retention mark: its events are gone, nothing to compare with
            }
        }

        /// <summary>The last event checked so far (or where the chain starts).</summary>
        public long Sequence { get; private set; }

        public string Hash { get; private set; }

        /// <summary>The next events: numbered on without gaps, each linked to its predecessor, each hash as stored, each checkpoint among them signing its event's hash.</summary>
        public bool Append(IReadOnlyList<AuditEvent> events)
        {
            if (!_intact || events.Count == 0)
            {
                return _intact;
            }

            _intact = Linked(events, Sequence, Hash);
            for (; _intact && _nextCheckpoint < _checkpoints.Length && _checkpoints[_nextCheckpoint].Sequence <= Sequence + events.Count; _nextCheckpoint++)
            {
                var checkpoint = _checkpoints[_nextCheckpoint];
                _intact = string.Equals(events[(int)(checkpoint.Sequence - Sequence - 1)].Hash, checkpoint.Hash, StringComparison.Ordinal);
            }

            Sequence += events.Count;
            Hash = events[^1].Hash;
            return _intact;
        }

        /// <summary>After the last event: every signature valid, no checkpoint beyond the end, the retention mark on a checkpoint.</summary>
        public async Task<bool> CompleteAsync() => await _signatures.ConfigureAwait(false) && EndIntact();

        /// <summary>
        /// The same for synchronous callers. It blocks on the signature task itself, which runs on the thread pool, and
        /// never on an async method: <c>CompleteAsync().GetAwaiter().GetResult()</c> deadlocked when called from a
        /// Blazor page, whose synchronization context the await's continuation was queued to while the page blocked it.
        /// </summary>
        public bool Complete() => _signatures.GetAwaiter().GetResult() && EndIntact();

        private bool EndIntact() =>
            _intact && _nextCheckpoint == _checkpoints.Length
            && (_prune is null || _checkpoints.Any(c => c.Sequence == _prune.UpToSequence && c.Hash == _prune.CheckpointHash));

        /// <summary>Chunks in parallel (each event's predecessor is in the list or is the given start), stopping at the first fault.</summary>
        private static bool Linked(IReadOnlyList<AuditEvent> events, long startSequence, string startHash)
        {
            var linked = true;
            Parallel.For(0, (events.Count + ParallelChunk - 1) / ParallelChunk, (chunk, state) =>
            {
                var end = Math.Min(events.Count, (chunk + 1) * ParallelChunk);
                for (var i = chunk * ParallelChunk; i < end && !state.ShouldExitCurrentIteration; i++)
                {
                    var e = events[i];
                    var previousHash = i == 0 ? startHash : events[i - 1].Hash;
                    if (e.Sequence != startSequence + i + 1 || !string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal) || !AuditHashing.Matches(e, e.Sequence))
                    {
                        Volatile.Write(ref linked, false);
                        state.Stop();
                    }
                }
            });
            return linked;
        }
    }

    /// <summary>The slow path: tells each kind of damage apart and locates it (also what it reports for an intact chain: nothing).</summary>
    internal static List<AuditProblem> Locate(Guid? chain, IReadOnlyList<AuditEvent> events, IReadOnlyList<AuditCheckpoint> checkpoints, AuditSigningKey key, AuditPrune? prune)
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
