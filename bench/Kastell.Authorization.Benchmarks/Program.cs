using BenchmarkDotNet.Running;
using Kastell.Authorization.Benchmarks.Harness;
using Kastell.Authorization.Benchmarks.SpiceDb;

namespace Kastell.Authorization.Benchmarks;

/// <summary>
/// <c>compare [--quick] [--sizes 10000,100000] ...</c>: Kastell and SpiceDB side by side (needs SPICEDB_LIBRARY_PATH).
/// <c>bdn [BenchmarkDotNet arguments]</c>: BenchmarkDotNet benchmarks of Kastell alone.
/// <c>list [--sizes 10000,100000] [--runs N]</c>: Kastell's ListObjects alone, stopwatch-timed (development loop).
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

        if (args.Length > 0 && args[0] == "compare")
        {
            SpiceDbNative.LibraryPath = Environment.GetEnvironmentVariable("SPICEDB_LIBRARY_PATH")
                ?? throw new InvalidOperationException("set SPICEDB_LIBRARY_PATH to libspicedb.so (bench/run.sh does)");
            var options = ComparisonOptions.Parse(args[1..]);
            var results = new ComparisonRunner(options).Run();
            var report = ComparisonReport.Write(results, options);
            Directory.CreateDirectory(options.OutputDirectory);
            var path = Path.Combine(options.OutputDirectory, $"compare-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
            File.WriteAllText(path, report);
            Console.WriteLine(report);
            Console.Error.WriteLine($"written to {path}");
            return 0;
        }

        Console.Error.WriteLine("usage: compare [--quick] [--sizes 10000,100000,1000000] [--iterations N] [--seconds S] [--list-runs N] [--fully-consistent] [--out DIR] | bdn [BenchmarkDotNet args] | list [--sizes 10000,100000] [--runs N]");
        return 2;
    }
}
