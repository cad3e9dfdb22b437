using Kastell.Authorization.Benchmarks.SpiceDb;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Settings of the side-by-side run; <c>--quick</c> gives a short run for development on shared cores.</summary>
internal sealed record ComparisonOptions
{
    public IReadOnlyList<int> Sizes { get; init; } = [10_000, 100_000, 1_000_000];
    public int WarmupChecks { get; init; } = 5_000;
    public TimeSpan MinimumWarmup { get; init; } = TimeSpan.FromSeconds(3);
    public int LatencyIterations { get; init; } = 30_000;
    public TimeSpan ThroughputDuration { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Cap of each verification, latency and list phase per engine and size.</summary>
    public TimeSpan PhaseBudget { get; init; } = TimeSpan.FromSeconds(45);
    /// <summary>Untimed list runs first: three, so the first size is not timed on code the JIT has not optimised yet.</summary>
    public int ListWarmup { get; init; } = 3;
    public int ListRuns { get; init; } = 10;
    public SpiceDbMessages.Consistency Consistency { get; init; } = SpiceDbMessages.Consistency.MinimizeLatency;
    public string OutputDirectory { get; init; } = "results";

    /// <summary>Measure Kastell alone (no SpiceDB library needed): for working on the engine; ratios need the full run.</summary>
    public bool KastellOnly { get; init; }

    public static ComparisonOptions Parse(string[] args)
    {
        var options = new ComparisonOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            options = args[i] switch
            {
                "--quick" => options with
                {
                    Sizes = [10_000],
                    WarmupChecks = 1_000,
                    MinimumWarmup = TimeSpan.FromSeconds(1),
                    LatencyIterations = 3_000,
                    ThroughputDuration = TimeSpan.FromSeconds(1),
                    ListWarmup = 1,
                    ListRuns = 3,
                },
                "--sizes" => options with { Sizes = [.. value.Split(',').Select(int.Parse)] },
                "--iterations" => options with { LatencyIterations = int.Parse(value) },
                "--seconds" => options with { ThroughputDuration = TimeSpan.FromSeconds(double.Parse(value)) },
                "--list-runs" => options with { ListRuns = int.Parse(value) },
                "--fully-consistent" => options with { Consistency = SpiceDbMessages.Consistency.FullyConsistent },
                "--budget" => options with { PhaseBudget = TimeSpan.FromSeconds(double.Parse(value)) },
                "--out" => options with { OutputDirectory = value },
                "--kastell-only" => options with { KastellOnly = true },
                _ => options,
            };
        }

        return options;
    }
}
