using System.Diagnostics;
using Kastell.Authorization.Benchmarks.Graph;
using Kastell.Authorization.Benchmarks.SpiceDb;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>SpiceDB v1.54 embedded in this process (libspicedb.so, memdb datastore), loaded with the same tuples.</summary>
internal sealed class SpiceDbEngineUnderTest(SpiceDbMessages.Consistency consistency) : IEngineUnderTest
{
    private readonly SpiceDbInstance _spiceDb = SpiceDbInstance.Start();
    private byte[][] _checks = [];
    private byte[] _lookupAuditorEvidence = [];

    public string Name => "SpiceDB";

    public TimeSpan Load(KastellGraph graph)
    {
        var started = Stopwatch.GetTimestamp();
        _spiceDb.WriteSchema(File.ReadAllText(ModelFiles.SpiceDb));
        _spiceDb.WriteRelationships([.. graph.Tuples.Select(t => (t.Object, t.Relation, t.User))]);
        var elapsed = Stopwatch.GetElapsedTime(started);
        WaitUntilVisible(graph.Tuples[^1]);
        _checks = [.. graph.Checks.Select(c => SpiceDbMessages.CheckPermissionRequest(c.Object, c.Relation, c.User, consistency))];
        _lookupAuditorEvidence = SpiceDbMessages.LookupResourcesRequest("evidence", "can_view", KastellGraph.Auditor, consistency);
        return elapsed;
    }

    /// <summary>
    /// With minimize_latency SpiceDB reads at a quantized revision (a window of seconds), so just-written relationships
    /// are not visible at once. Waits until the last written tuple is, so the checks run on the whole graph.
    /// </summary>
    private void WaitUntilVisible(Storage.RelationshipTuple last)
    {
        var probe = SpiceDbMessages.CheckPermissionRequest(last.Object, last.Relation, last.User, consistency);
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (!_spiceDb.Check(probe))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"SpiceDB never saw {last}");
            }

            Thread.Sleep(100);
        }
    }

    public bool Check(int caseIndex) => _spiceDb.Check(_checks[caseIndex]);

    public int ListAuditorEvidence() => _spiceDb.Streaming.LookupResourcesAsync(_lookupAuditorEvidence).GetAwaiter().GetResult().Count;

    public void Dispose() => _spiceDb.Dispose();
}
