using System.Diagnostics;
using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// Times single checks one by one on one thread, identically for every engine: a warm-up over the workload,
/// a full GC so earlier garbage is not charged to the measured calls, then <c>iterations</c> calls cycling through the
/// shuffled workload, each timed with <see cref="Stopwatch.GetTimestamp"/> (the loop overhead is included and is the
/// same for both engines). GC pauses that happen during the measured calls are included: they are real latency.
/// Each phase also stops at a time budget, because SpiceDB's memdb checks take milliseconds on large graphs: the
/// number of samples is reported with the percentiles.
/// </summary>
internal static class CheckLatencyHarness
{
    public static CheckLatency Measure(IEngineUnderTest engine, IReadOnlyList<CheckCase> cases, int warmup, TimeSpan minimumWarmup, int iterations, TimeSpan budget)
    {
        // Both a count and a duration: .NET promotes hot methods to optimized code in the background after a delay.
        var warmupEnds = Deadline(minimumWarmup);
        var warmupBudget = Deadline(budget);
        for (var i = 0; (i < warmup || Stopwatch.GetTimestamp() < warmupEnds) && Stopwatch.GetTimestamp() < warmupBudget; i++)
        {
            engine.Check(i % cases.Count);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var ticks = new long[iterations];
        var measured = 0;
        var measureBudget = Deadline(budget);
        var collectionsBefore = GC.CollectionCount(0);
        for (; measured < iterations && (measured % 64 != 0 || Stopwatch.GetTimestamp() < measureBudget); measured++)
        {
            var index = measured % cases.Count;
            var started = Stopwatch.GetTimestamp();
            engine.Check(index);
            ticks[measured] = Stopwatch.GetTimestamp() - started;
        }

        var collections = GC.CollectionCount(0) - collectionsBefore;
        ticks = ticks[..measured];

        var byKind = Enum.GetValues<CheckKind>().ToDictionary(
            kind => kind,
            kind => LatencyStats.From(ticks.Where((_, i) => cases[i % cases.Count].Kind == kind)));
        return new CheckLatency(LatencyStats.From(ticks), byKind, collections) { Ticks = ticks };
    }

    /// <summary>Runs every case once and counts answers that differ from what the graph was built to give.</summary>
    public static Verification Verify(IEngineUnderTest engine, IReadOnlyList<CheckCase> cases, TimeSpan budget)
    {
        var mismatches = Enum.GetValues<CheckKind>().ToDictionary(kind => kind, _ => 0);
        var deadline = Deadline(budget);
        var i = 0;
        for (; i < cases.Count && Stopwatch.GetTimestamp() < deadline; i++)
        {
            if (engine.Check(i) != cases[i].Expected)
            {
                mismatches[cases[i].Kind]++;
            }
        }

        return new Verification(i, mismatches);
    }

    private static long Deadline(TimeSpan after) => Stopwatch.GetTimestamp() + (long)(after.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>How many cases were verified (the shuffled workload's first ones, within the budget) and the wrong answers per kind.</summary>
internal sealed record Verification(int Checked, IReadOnlyDictionary<CheckKind, int> Mismatches);

/// <param name="Collections">Garbage collections (any generation) that ran during the timed calls: their pauses are in the tail.</param>
internal sealed record CheckLatency(LatencyStats All, IReadOnlyDictionary<CheckKind, LatencyStats> ByKind, int Collections)
{
    /// <summary>Every timed call in order (call i ran case i modulo the number of cases).</summary>
    public long[] Ticks { get; init; } = [];
}
