using System.Diagnostics;
using Kastell.Authorization.Benchmarks.Graph;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Kastell's engine over the in-memory tuple store, called directly (no serialization).</summary>
internal sealed class KastellEngineUnderTest : IEngineUnderTest
{
    private readonly InMemoryTupleStore _store = new();
    private AuthorizationEngine? _engine;
    private CheckRequest[] _checks = [];
    private static readonly ListObjectsRequest AuditorEvidence = new("evidence", "can_view", KastellGraph.Auditor);

    public string Name => "Kastell";

    public AuthorizationEngine Engine => _engine ?? throw new InvalidOperationException("not loaded");

    public TimeSpan Load(KastellGraph graph)
    {
        var started = Stopwatch.GetTimestamp();
        _engine = KastellEngineFactory.Create(_store, graph);
        _checks = [.. graph.Checks.Select(c => new CheckRequest(c.Object, c.Relation, c.User))];
        return Stopwatch.GetElapsedTime(started);
    }

    public bool Check(int caseIndex)
    {
        var pending = Engine.CheckAsync(_checks[caseIndex]);
        // The in-memory store completes synchronously; only fall back to blocking if it ever does not.
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).Allowed;
    }

    public int ListAuditorEvidence()
    {
        var pending = Engine.ListObjectsAsync(AuditorEvidence);
        var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return result.Truncated ? throw new InvalidOperationException("ListObjects was truncated") : result.Objects.Count;
    }

    public void Dispose() => _store.Dispose();
}
