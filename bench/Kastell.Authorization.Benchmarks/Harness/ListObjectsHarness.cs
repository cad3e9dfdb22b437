using System.Diagnostics;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Times the auditor's ListObjects (Kastell) / LookupResources (SpiceDB) end to end, all results received.</summary>
internal static class ListObjectsHarness
{
    public static ListObjectsTiming Measure(IEngineUnderTest engine, int warmup, int runs)
    {
        var count = 0;
        for (var i = 0; i < warmup; i++)
        {
            count = engine.ListAuditorEvidence();
        }

        var millis = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            count = engine.ListAuditorEvidence();
            millis[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(millis);
        return new ListObjectsTiming(millis[runs / 2], millis[0], count);
    }
}

internal sealed record ListObjectsTiming(double MedianMs, double MinMs, int Objects);
