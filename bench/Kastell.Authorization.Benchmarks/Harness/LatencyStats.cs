using System.Diagnostics;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Percentiles of per-call durations, in microseconds.</summary>
internal sealed record LatencyStats(double P50, double P99, double Mean, int Samples)
{
    public static LatencyStats From(IEnumerable<long> ticks)
    {
        var sorted = ticks.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new LatencyStats(0, 0, 0, 0);
        }

        return new LatencyStats(Micros(Percentile(sorted, 0.50)), Micros(Percentile(sorted, 0.99)), Micros(sorted.Average()), sorted.Length);
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(long[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Micros(double ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
