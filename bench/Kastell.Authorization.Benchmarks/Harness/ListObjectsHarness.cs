using System.Diagnostics;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Times the auditor's ListObjects (Kastell) / LookupResources (SpiceDB) end to end, all results received.</summary>
internal static class ListObjectsHarness
{
    /// <summary>Stops early (after at least one timed run) once <paramref name="budget"/> is spent.</summary>
    public static ListObjectsTiming Measure(IEngineUnderTest engine, int warmup, int runs, TimeSpan budget)
    {
        try
        {
            return MeasureRuns(engine, warmup, runs, budget);
        }
        catch (InvalidOperationException e)
        {
            // SpiceDB ends LookupResources with DEADLINE_EXCEEDED after 30 s on the 1 M graph: report it, keep the run.
            Console.Error.WriteLine($"{engine.Name}: list failed: {e.Message}");
            return new ListObjectsTiming(double.NaN, double.NaN, 0, 0) { Failure = e.Message };
        }
    }

    private static ListObjectsTiming MeasureRuns(IEngineUnderTest engine, int warmup, int runs, TimeSpan budget)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        var count = 0;
        for (var i = 0; i < warmup; i++)
        {
            count = engine.ListAuditorEvidence();
        }

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
}

internal sealed record ListObjectsTiming(double MedianMs, double MinMs, int Objects, int Runs)
{
    public string? Failure { get; init; }
}
