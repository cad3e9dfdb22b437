using System.Diagnostics;
using System.Globalization;
using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// <c>checks [--sizes 10000,100000] [--rounds N] [--iterations N] [--warmup-seconds S] [--slowest N]</c>: Kastell's Check alone, per
/// check kind: bytes allocated and thread CPU time per check (the steady figures on a shared machine), then the latency
/// harness of the comparison (p50/p99 per kind, GC pauses included) with the number of collections during it.
/// </summary>
internal static class CheckProfileRunner
{
    public static void Run(string[] args)
    {
        IReadOnlyList<int> sizes = [10_000, 100_000];
        var rounds = 50;
        var iterations = 30_000;
        var warmup = TimeSpan.FromSeconds(3);
        var slowest = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--sizes":
                    sizes = [.. args[i + 1].Split(',').Select(int.Parse)];
                    break;
                case "--rounds":
                    rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--iterations":
                    iterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--slowest":
                    slowest = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--warmup-seconds":
                    warmup = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture));
                    break;
            }
        }

        Console.WriteLine(Invariant($"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {File.ReadAllText("/proc/loadavg").Trim()}"));
        Console.WriteLine("| Tuples | Kind | Allocated B/check | Thread CPU mean µs | p50 µs | p99 µs | Mean µs |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            using var engine = new KastellEngineUnderTest();
            var graph = new KastellGraphGenerator(new GraphShape()).Generate(size);
            engine.Load(graph);
            var cases = graph.Checks;
            var wrong = Enumerable.Range(0, cases.Count).Count(i => engine.Check(i) != cases[i].Expected);
            if (wrong != 0)
            {
                throw new InvalidOperationException($"{wrong} wrong answers");
            }

            var latency = CheckLatencyHarness.Measure(engine, cases, 5_000, warmup, iterations, TimeSpan.FromSeconds(60));
            // Kinds take turns round by round, so a pause or a JIT promotion does not land on one kind's figures.
            var kinds = Enum.GetValues<CheckKind>();
            var indexes = kinds.Select(kind => Enumerable.Range(0, cases.Count).Where(i => cases[i].Kind == kind).ToArray()).ToArray();
            var cpuMillis = new double[kinds.Length];
            var bytes = new long[kinds.Length];
            for (var r = 0; r < rounds; r++)
            {
                for (var k = 0; k < kinds.Length; k++)
                {
                    var allocated = GC.GetAllocatedBytesForCurrentThread();
                    var cpu = ThreadCpuClock.NowMilliseconds();
                    foreach (var index in indexes[k])
                    {
                        engine.Check(index);
                    }

                    cpuMillis[k] += ThreadCpuClock.NowMilliseconds() - cpu;
                    bytes[k] += GC.GetAllocatedBytesForCurrentThread() - allocated;
                }
            }

            for (var k = 0; k < kinds.Length; k++)
            {
                var calls = (double)rounds * indexes[k].Length;
                var stats = latency.ByKind[kinds[k]];
                Console.WriteLine(Invariant($"| {graph.Tuples.Count:N0} | {kinds[k]} | {bytes[k] / calls:F0} | {cpuMillis[k] * 1_000 / calls:F2} | {stats.P50:F1} | {stats.P99:F1} | {stats.Mean:F2} |"));
            }

            if (slowest > 0)
            {
                WriteSlowestCases(engine, cases, latency, slowest);
            }

            Console.WriteLine(Invariant($"| {graph.Tuples.Count:N0} | all | | | {latency.All.P50:F1} | {latency.All.P99:F1} | {latency.All.Mean:F2} |"));
            Console.WriteLine(Invariant($"<!-- {graph.Tuples.Count:N0} tuples: {latency.All.Samples:N0} latency samples, {latency.Collections} garbage collections during the timed calls, load average {File.ReadAllText("/proc/loadavg").Trim()} -->"));
        }
    }

    /// <summary>
    /// The cases that are slow every time (the fastest of 20 calls), with their allocations: the p99 of the mix is
    /// set by the slowest 1 % of calls, so a few intrinsically slow cases set it even on an idle machine.
    /// </summary>
    private static void WriteSlowestCases(KastellEngineUnderTest engine, IReadOnlyList<CheckCase> cases, CheckLatency latency, int count)
    {
        // In the timed run (cold: each case comes back only after all others): which calls make the slowest 1 %?
        var ticks = latency.Ticks;
        var p99 = ticks.Order().ElementAt((int)(ticks.Length * 0.99));
        var slowCalls = Enumerable.Range(0, ticks.Length).Where(i => ticks[i] > p99).ToArray();
        var byCase = slowCalls.GroupBy(i => i % cases.Count).OrderByDescending(g => g.Count()).ToArray();
        Console.WriteLine(Invariant($"<!-- slowest 1 % of timed calls: {slowCalls.Length} calls over {byCase.Length} distinct cases (most of one case: {byCase.FirstOrDefault()?.Count() ?? 0}); by kind: {string.Join(", ", slowCalls.GroupBy(i => cases[i % cases.Count].Kind).Select(g => $"{g.Key} {g.Count()}"))}; positions (call index / 1000): {string.Join(" ", slowCalls.Take(40).Select(i => i / 1000))} -->"));

        var fastest = new (double Micros, long Bytes, int Index)[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            var best = double.MaxValue;
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            for (var r = 0; r < 20; r++)
            {
                var started = Stopwatch.GetTimestamp();
                engine.Check(i);
                best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }

            fastest[i] = (best, (GC.GetAllocatedBytesForCurrentThread() - bytes) / 20, i);
        }

        foreach (var (micros, bytes, index) in fastest.OrderByDescending(f => f.Micros).Take(count))
        {
            var c = cases[index];
            Console.WriteLine(Invariant($"<!-- slow case: {micros:F1} µs, {bytes} B: {c.Kind} {c.Object}#{c.Relation}@{c.User} -->"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
