using System.Runtime.InteropServices;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): on a machine shared with
/// other builds, wall time mostly measures waiting for a core; this measures the work itself.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static double NowMilliseconds()
    {
        return ClockGetTime(ClockThreadCpuTimeId, out var time) == 0
            ? (time.Seconds * 1_000.0) + (time.Nanoseconds / 1_000_000.0)
            : double.NaN;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
