using BenchmarkDotNet.Attributes;
using Kastell.Authorization.Benchmarks.Graph;
using Kastell.Authorization.Benchmarks.Harness;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Benchmarks.Bdn;

/// <summary>The auditor's ListObjects over evidence (~10 k visible objects from 100 k tuples up).</summary>
[MemoryDiagnoser]
public class KastellListObjectsBenchmarks
{
    private static readonly ListObjectsRequest AuditorEvidence = new("evidence", "can_view", KastellGraph.Auditor);
    private readonly InMemoryTupleStore _store = new();
    private AuthorizationEngine _engine = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Tuples { get; set; }

    [GlobalSetup]
    public void Setup() => _engine = KastellEngineFactory.Create(_store, new KastellGraphGenerator(new GraphShape()).Generate(Tuples));

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark]
    public int ListObjects() => _engine.ListObjectsAsync(AuditorEvidence).AsTask().GetAwaiter().GetResult().Objects.Count;
}
