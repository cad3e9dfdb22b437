using BenchmarkDotNet.Running;
using Kastell.Authorization.Benchmarks.Harness;
using Kastell.Authorization.Benchmarks.SpiceDb;

namespace Kastell.Authorization.Benchmarks;

/// <summary>
/// <c>compare [--quick] [--sizes 10000,100000] ...</c>: Kastell and SpiceDB side by side (needs SPICEDB_LIBRARY_PATH unless <c>--kastell-only</c>).
/// <c>bdn [BenchmarkDotNet arguments]</c>: BenchmarkDotNet benchmarks of Kastell alone.
/// <c>list [--sizes 10000,100000] [--runs N]</c>: Kastell's ListObjects alone, stopwatch-timed (development loop).
/// <c>checks [--sizes 10000,100000] [--rounds N]</c>: Kastell's Check alone per kind: allocations, thread CPU, p50/p99.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bdn")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }

        if (args.Length > 0 && args[0] == "list")
        {
            ListProfileRunner.Run(args[1..]);
            return 0;
        }

        if (args.Length > 0 && args[0] == "checks")
        {
            CheckProfileRunner.Run(args[1..]);
            return 0;
        }

        if (args.Length > 0 && args[0] == "compare")
        {
            var options = ComparisonOptions.Parse(args[1..]);
            if (!options.KastellOnly)
            {
                SpiceDbNative.LibraryPath = Environment.GetEnvironmentVariable("SPICEDB_LIBRARY_PATH")
                    ?? throw new InvalidOperationException("set SPICEDB_LIBRARY_PATH to libspicedb.so (bench/run.sh does), or pass --kastell-only");
            }

            var results = new ComparisonRunner(options).Run();
            var report = ComparisonReport.Write(results, options);
            Directory.CreateDirectory(options.OutputDirectory);
            var path = Path.Combine(options.OutputDirectory, $"compare-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
            File.WriteAllText(path, report);
            Console.WriteLine(report);
            Console.Error.WriteLine($"written to {path}");
            return 0;
        }

        Console.Error.WriteLine("usage: compare [--quick] [--sizes 10000,100000,1000000] [--iterations N] [--seconds S] [--list-runs N] [--fully-consistent] [--kastell-only] [--out DIR] | bdn [BenchmarkDotNet args] | list [--sizes 10000,100000] [--runs N] | checks [--sizes 10000,100000] [--rounds N] [--iterations N]");
        return 2;
    }
}
