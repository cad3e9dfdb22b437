using System.Diagnostics;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// Checks per second with one worker thread per core, each cycling through the workload from a different offset, for
/// a fixed wall-clock duration. SpiceDB's Go runtime schedules its own goroutines on the same cores.
/// </summary>
internal static class CheckThroughputHarness
{
    public static double Measure(IEngineUnderTest engine, int caseCount, TimeSpan duration, int workers)
    {
        var counts = new long[workers];
        using var start = new Barrier(workers + 1);
        var threads = Enumerable.Range(0, workers).Select(worker => new Thread(() =>
        {
            var index = worker * caseCount / workers;
            long done = 0;
            start.SignalAndWait();
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                // Check the clock every 16 calls so reading it does not dominate sub-microsecond checks.
                for (var i = 0; i < 16; i++)
                {
                    engine.Check(index);
                    index = index + 1 == caseCount ? 0 : index + 1;
                }

                done += 16;
            }

            counts[worker] = done;
        })).ToList();

        threads.ForEach(t => t.Start());
        start.SignalAndWait();
        var started = Stopwatch.GetTimestamp();
        threads.ForEach(t => t.Join());
        return counts.Sum() / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
