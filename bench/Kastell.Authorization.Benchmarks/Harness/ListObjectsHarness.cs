using System.Diagnostics;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Times the auditor's ListObjects (Kastell) / LookupResources (SpiceDB) end to end, all results received.</summary>
internal static class ListObjectsHarness
{
    /// <summary>
    /// Warms up like the check latency harness — at least <paramref name="warmup"/> runs and
    /// <paramref name="minimumWarmup"/>, within <paramref name="budget"/> — so that .NET's tiered JIT has promoted the
    /// hot loops before timing (three runs were not enough: at 100 k tuples the median then measured tier-0 code at
    /// 2.5× the steady-state time). Timing stops early (after at least one run) once another budget is spent.
    /// </summary>
    public static ListObjectsTiming Measure(IEngineUnderTest engine, int warmup, TimeSpan minimumWarmup, int runs, TimeSpan budget)
    {
        try
        {
            return MeasureRuns(engine, warmup, minimumWarmup, runs, budget);
        }
        catch (InvalidOperationException e)
        {
            // SpiceDB ends LookupResources with DEADLINE_EXCEEDED after 30 s on the 1 M graph: report it, keep the run.
            Console.Error.WriteLine($"{engine.Name}: list failed: {e.Message}");
            return new ListObjectsTiming(double.NaN, double.NaN, 0, 0) { Failure = e.Message };
        }
    }

    private static ListObjectsTiming MeasureRuns(IEngineUnderTest engine, int warmup, TimeSpan minimumWarmup, int runs, TimeSpan budget)
    {
        var warmupEnds = Deadline(minimumWarmup);
        var warmupBudget = Deadline(budget);
        var count = 0;
        for (var i = 0; (i < warmup || Stopwatch.GetTimestamp() < warmupEnds) && Stopwatch.GetTimestamp() < warmupBudget; i++)
        {
            count = engine.ListAuditorEvidence();
        }

        var deadline = Deadline(budget);
        var millis = new List<double>();
        while (millis.Count == 0 || (millis.Count < runs && Stopwatch.GetTimestamp() < deadline))
        {
            var started = Stopwatch.GetTimestamp();
            count = engine.ListAuditorEvidence();
            millis.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        millis.Sort();
        return new ListObjectsTiming(millis[millis.Count / 2], millis[0], count, millis.Count);
    }

    private static long Deadline(TimeSpan span) => Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
}

internal sealed record ListObjectsTiming(double MedianMs, double MinMs, int Objects, int Runs)
{
    public string? Failure { get; init; }
}
