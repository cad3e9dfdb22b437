using System.Diagnostics;
using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// <c>list [--sizes 10000,100000] [--runs N] [--warmup-seconds S]</c>: Kastell's ListObjects alone, timed with a stopwatch, with the
/// allocations and the calling thread's CPU time per run (steadier than wall time on a shared machine, though it
/// leaves out background GC work) — a quick loop for working on ListObjects without SpiceDB or BenchmarkDotNet.
/// </summary>
internal static class ListProfileRunner
{
    public static void Run(string[] args)
    {
        IReadOnlyList<int> sizes = [10_000, 100_000];
        var runs = 20;
        var warmup = TimeSpan.FromSeconds(3);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--sizes":
                    sizes = [.. args[i + 1].Split(',').Select(int.Parse)];
                    break;
                case "--runs":
                    runs = int.Parse(args[i + 1]);
                    break;
                case "--warmup-seconds":
                    warmup = TimeSpan.FromSeconds(double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        foreach (var size in sizes)
        {
            using var engine = new KastellEngineUnderTest();
            engine.Load(new KastellGraphGenerator(new GraphShape()).Generate(size));
            // Until the tiered JIT has promoted the hot loops (see ListObjectsHarness), runs measure tier-0 code.
            var objects = engine.ListAuditorEvidence();
            for (var warmupEnds = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency); Stopwatch.GetTimestamp() < warmupEnds;)
            {
                engine.ListAuditorEvidence();
            }
            var millis = new List<double>();
            var cpu = new List<double>();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var r = 0; r < runs; r++)
            {
                var cpuBefore = ThreadCpuClock.NowMilliseconds();
                var started = Stopwatch.GetTimestamp();
                engine.ListAuditorEvidence();
                millis.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                cpu.Add(ThreadCpuClock.NowMilliseconds() - cpuBefore);
            }

            allocated = (GC.GetAllocatedBytesForCurrentThread() - allocated) / runs;
            millis.Sort();
            cpu.Sort();
            Console.WriteLine($"{size,9:N0} tuples: {objects:N0} objects, median {millis[runs / 2]:F1} ms, min {millis[0]:F1} ms, "
                + $"thread CPU median {cpu[runs / 2]:F1} ms, min {cpu[0]:F1} ms, {allocated / 1024.0 / 1024.0:F2} MB allocated per run");
        }
    }
}
