using Kastell.Authorization.Benchmarks.Graph;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>
/// One engine loaded with a graph. Check requests are prepared once per case (a <c>CheckRequest</c> for Kastell,
/// encoded protobuf for SpiceDB), so the timed call is the engine's work plus the cost of its calling convention.
/// </summary>
internal interface IEngineUnderTest : IDisposable
{
    string Name { get; }

    /// <summary>Loads the tuples and prepares the checks; returns the load time.</summary>
    TimeSpan Load(KastellGraph graph);

    bool Check(int caseIndex);

    /// <summary>Every evidence the auditor can view (ListObjects / LookupResources).</summary>
    int ListAuditorEvidence();
}
