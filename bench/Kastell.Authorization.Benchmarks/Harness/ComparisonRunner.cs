using System.Diagnostics;
using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// For each graph size: generate the graph, load it into both engines, verify both give the expected answers, then
/// measure check latency, check throughput and ListObjects/LookupResources for Kastell, then for SpiceDB.
/// </summary>
internal sealed class ComparisonRunner(ComparisonOptions options)
{
    /// <summary>
    /// Kastell is measured on every size before SpiceDB's Go runtime is loaded, and SpiceDB instances are never
    /// disposed (the process exit frees them): in a first full run the process died with SIGSEGV while Kastell loaded the 100 k graph right after
    /// spicedb_dispose of the 10 k instance (Go's c-shared runtime and .NET share the process's signal handlers).
    /// The graphs are deterministic, so both engines still get identical tuples and checks.
    /// </summary>
    public IReadOnlyList<SizeResult> Run()
    {
        var kastellResults = new List<SizeResult>();
        foreach (var size in options.Sizes)
        {
            var graph = Generate(size);
            using var kastell = new KastellEngineUnderTest();
            kastellResults.Add(new SizeResult(graph.Tuples.Count, graph.AuditorVisibleEvidence, Measure(kastell, graph), null));
        }

        if (options.KastellOnly)
        {
            return kastellResults;
        }

        var results = new List<SizeResult>();
        foreach (var (size, kastellResult) in options.Sizes.Zip(kastellResults))
        {
            var graph = Generate(size);
            var spiceDb = new SpiceDbEngineUnderTest(options.Consistency);
            results.Add(kastellResult with { SpiceDb = Measure(spiceDb, graph) });
        }

        return results;
    }

    private static KastellGraph Generate(int size)
    {
        Log($"generating a graph of at least {size:N0} tuples");
        var graph = new KastellGraphGenerator(new GraphShape()).Generate(size);
        Log($"{graph.Tuples.Count:N0} tuples, {graph.Organizations} organizations, {graph.Checks.Count} checks, auditor sees {graph.AuditorVisibleEvidence:N0} evidence");
        return graph;
    }

    private EngineResult Measure(IEngineUnderTest engine, KastellGraph graph)
    {
        Log($"{engine.Name}: loading");
        var load = engine.Load(graph);
        Log($"{engine.Name}: loaded in {load.TotalSeconds:F1} s; verifying");
        var verification = CheckLatencyHarness.Verify(engine, graph.Checks, options.PhaseBudget);
        Log($"{engine.Name}: {verification.Checked} verified, mismatches {string.Join(", ", verification.Mismatches.Select(m => $"{m.Key}={m.Value}"))}; latency");
        var latency = CheckLatencyHarness.Measure(engine, graph.Checks, options.WarmupChecks, options.MinimumWarmup, options.LatencyIterations, options.PhaseBudget);
        Log($"{engine.Name}: p50 {latency.All.P50:F1} µs, p99 {latency.All.P99:F1} µs over {latency.All.Samples} checks ({latency.Collections} garbage collections during them); throughput");
        var throughput = CheckThroughputHarness.Measure(engine, graph.Checks.Count, options.ThroughputDuration, Environment.ProcessorCount);
        Log($"{engine.Name}: {throughput:N0} checks/s; list objects");
        var list = ListObjectsHarness.Measure(engine, options.ListWarmup, options.MinimumWarmup, options.ListRuns, options.PhaseBudget);
        Log($"{engine.Name}: list {list.Objects:N0} objects, median {list.MedianMs:F1} ms");
        return new EngineResult(load, verification, latency, throughput, list);
    }

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private static void Log(string message) => Console.Error.WriteLine($"[{Clock.Elapsed:mm\\:ss}] {message}");
}

internal sealed record EngineResult(TimeSpan Load, Verification Verification, CheckLatency Latency, double ChecksPerSecond, ListObjectsTiming List);

/// <summary>One graph size; <see cref="SpiceDb"/> is null in a <c>--kastell-only</c> run.</summary>
internal sealed record SizeResult(int Tuples, int AuditorVisibleEvidence, EngineResult Kastell, EngineResult? SpiceDb);
