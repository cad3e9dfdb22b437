using System.Diagnostics;
using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// Times single checks one by one on one thread, identically for every engine: a warm-up over the workload,
/// a full GC so earlier garbage is not charged to the measured calls, then <c>iterations</c> calls cycling through the
/// shuffled workload, each timed with <see cref="Stopwatch.GetTimestamp"/> (the loop overhead is included and is the
/// same for both engines). GC pauses that happen during the measured calls are included: they are real latency.
/// </summary>
internal static class CheckLatencyHarness
{
    public static CheckLatency Measure(IEngineUnderTest engine, IReadOnlyList<CheckCase> cases, int warmup, TimeSpan minimumWarmup, int iterations)
    {
        // Both a count and a duration: .NET promotes hot methods to optimized code in the background after a delay.
        var warmupEnds = Stopwatch.GetTimestamp() + (long)(minimumWarmup.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < warmup || Stopwatch.GetTimestamp() < warmupEnds; i++)
        {
            engine.Check(i % cases.Count);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var ticks = new long[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var index = i % cases.Count;
            var started = Stopwatch.GetTimestamp();
            engine.Check(index);
            ticks[i] = Stopwatch.GetTimestamp() - started;
        }

        var byKind = Enum.GetValues<CheckKind>().ToDictionary(
            kind => kind,
            kind => LatencyStats.From(ticks.Where((_, i) => cases[i % cases.Count].Kind == kind)));
        return new CheckLatency(LatencyStats.From(ticks), byKind);
    }

    /// <summary>Runs every case once and counts answers that differ from what the graph was built to give.</summary>
    public static Dictionary<CheckKind, int> Verify(IEngineUnderTest engine, IReadOnlyList<CheckCase> cases)
    {
        var mismatches = Enum.GetValues<CheckKind>().ToDictionary(kind => kind, _ => 0);
        for (var i = 0; i < cases.Count; i++)
        {
            if (engine.Check(i) != cases[i].Expected)
            {
                mismatches[cases[i].Kind]++;
            }
        }

        return mismatches;
    }
}

internal sealed record CheckLatency(LatencyStats All, IReadOnlyDictionary<CheckKind, LatencyStats> ByKind);
