using BenchmarkDotNet.Attributes;
using Kastell.Authorization.Benchmarks.Graph;
using Kastell.Authorization.Benchmarks.Harness;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Benchmarks.Bdn;

/// <summary>Mean time and allocations of one Kastell check, per graph size and check kind (the workload of the comparison).</summary>
[MemoryDiagnoser]
public class KastellCheckBenchmarks
{
    private const int ChecksPerInvoke = 200;

    private readonly InMemoryTupleStore _store = new();
    private AuthorizationEngine _engine = null!;
    private CheckRequest[] _checks = [];

    [Params(10_000, 100_000, 1_000_000)]
    public int Tuples { get; set; }

    [ParamsAllValues]
    public CheckKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var graph = new KastellGraphGenerator(new GraphShape { ChecksPerKind = ChecksPerInvoke }).Generate(Tuples);
        _engine = KastellEngineFactory.Create(_store, graph);
        _checks = [.. graph.Checks.Where(c => c.Kind == Kind).Select(c => new CheckRequest(c.Object, c.Relation, c.User))];
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    /// <summary>Runs the 200 checks of one kind; BenchmarkDotNet reports the time per check.</summary>
    [Benchmark(OperationsPerInvoke = ChecksPerInvoke)]
    public int Check()
    {
        var allowed = 0;
        foreach (var request in _checks)
        {
            if (_engine.CheckAsync(request).GetAwaiter().GetResult().Allowed)
            {
                allowed++;
            }
        }

        return allowed;
    }
}
