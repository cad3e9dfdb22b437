using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Markdown tables of one run; ratios are SpiceDB ÷ Kastell for times and Kastell ÷ SpiceDB for throughput (higher is better for Kastell).</summary>
internal static class ComparisonReport
{
    public static string Write(IReadOnlyList<SizeResult> results, ComparisonOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Latency: {options.LatencyIterations:N0} single-threaded checks after at least {options.WarmupChecks:N0} warm-up checks and {options.MinimumWarmup.TotalSeconds:F0} s; throughput: {Environment.ProcessorCount} threads for {options.ThroughputDuration.TotalSeconds:F0} s; list: median of up to {options.ListRuns} runs; every phase capped at {options.PhaseBudget.TotalSeconds:F0} s per engine (sample counts below); SpiceDB consistency: {options.Consistency}.");
        text.AppendLine();
        if (options.KastellOnly)
        {
            WriteKastellOnly(text, results);
            return text.ToString();
        }

        text.AppendLine("| Tuples | Check p50 Kastell / SpiceDB (µs) | ratio | Check p99 Kastell / SpiceDB (µs) | ratio | Checks/s Kastell / SpiceDB | ratio | List ~objects | List median Kastell / SpiceDB (ms) | ratio | Checks verified, wrong answers K / S | Latency samples K / S | List runs K / S |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var (k, s) = (r.Kastell, r.SpiceDb!);
            text.AppendLine(Invariant(
                $"| {r.Tuples:N0} | {k.Latency.All.P50:F1} / {s.Latency.All.P50:F1} | {s.Latency.All.P50 / k.Latency.All.P50:F1}× | {k.Latency.All.P99:F1} / {s.Latency.All.P99:F1} | {s.Latency.All.P99 / k.Latency.All.P99:F1}× | {k.ChecksPerSecond:N0} / {s.ChecksPerSecond:N0} | {k.ChecksPerSecond / s.ChecksPerSecond:F1}× | {k.List.Objects:N0} / {s.List.Objects:N0} | {k.List.MedianMs:F1} / {s.List.MedianMs:F1} | {s.List.MedianMs / k.List.MedianMs:F1}× | {Verified(k)} / {Verified(s)} | {k.Latency.All.Samples:N0} / {s.Latency.All.Samples:N0} | {k.List.Runs} / {s.List.Runs} |"));
        }

        foreach (var r in results.Where(r => r.SpiceDb!.List.Failure is not null || r.Kastell.List.Failure is not null))
        {
            text.AppendLine();
            text.AppendLine(Invariant($"List on {r.Tuples:N0} tuples failed: Kastell: {r.Kastell.List.Failure ?? "ok"}; SpiceDB: {r.SpiceDb!.List.Failure ?? "ok"}"));
        }

        text.AppendLine();
        text.AppendLine("Per check kind, p50 / p99 in µs (Kastell | SpiceDB):");
        text.AppendLine();
        text.AppendLine("| Tuples | Kind | Kastell p50 | Kastell p99 | SpiceDB p50 | SpiceDB p99 | SpiceDB samples | p50 ratio |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            foreach (var kind in Enum.GetValues<CheckKind>())
            {
                var (k, s) = (r.Kastell.Latency.ByKind[kind], r.SpiceDb!.Latency.ByKind[kind]);
                text.AppendLine(Invariant($"| {r.Tuples:N0} | {kind} | {k.P50:F1} | {k.P99:F1} | {s.P50:F1} | {s.P99:F1} | {s.Samples:N0} | {s.P50 / k.P50:F1}× |"));
            }
        }

        text.AppendLine();
        text.AppendLine("Load time (write all tuples), s (Kastell | SpiceDB):");
        text.AppendLine();
        foreach (var r in results)
        {
            text.AppendLine(Invariant($"- {r.Tuples:N0} tuples: {r.Kastell.Load.TotalSeconds:F1} | {r.SpiceDb!.Load.TotalSeconds:F1}"));
        }

        return text.ToString();
    }

    /// <summary>The same figures for Kastell alone (<c>--kastell-only</c>): no ratios.</summary>
    private static void WriteKastellOnly(StringBuilder text, IReadOnlyList<SizeResult> results)
    {
        text.AppendLine("Kastell only (no SpiceDB).");
        text.AppendLine();
        text.AppendLine("| Tuples | Check p50 (µs) | Check p99 (µs) | GCs during timed checks | Checks/s | List objects | List median (ms) | Checks verified, wrong answers | Latency samples | List runs | Load (s) |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var k = r.Kastell;
            text.AppendLine(Invariant(
                $"| {r.Tuples:N0} | {k.Latency.All.P50:F1} | {k.Latency.All.P99:F1} | {k.Latency.Collections} | {k.ChecksPerSecond:N0} | {k.List.Objects:N0} | {k.List.MedianMs:F1} | {Verified(k)} | {k.Latency.All.Samples:N0} | {k.List.Runs} | {k.Load.TotalSeconds:F1} |"));
        }

        text.AppendLine();
        text.AppendLine("Per check kind, µs:");
        text.AppendLine();
        text.AppendLine("| Tuples | Kind | p50 | p99 | mean |");
        text.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var r in results)
        {
            foreach (var kind in Enum.GetValues<CheckKind>())
            {
                var k = r.Kastell.Latency.ByKind[kind];
                text.AppendLine(Invariant($"| {r.Tuples:N0} | {kind} | {k.P50:F1} | {k.P99:F1} | {k.Mean:F2} |"));
            }
        }
    }

    private static string Verified(EngineResult result) => Invariant($"{result.Verification.Checked}, {result.Verification.Mismatches.Values.Sum()}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
