using System.Diagnostics;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// A manual latency probe on a 1M-tuple graph (run with <c>-method ...CheckLatencyProbe.*</c>); explicit because timing
/// on a shared machine is no pass/fail signal. The real benchmark belongs to the benchmark project.
/// </summary>
public sealed class CheckLatencyProbe(ITestOutputHelper output)
{
    [Fact(Explicit = true)]
    public async Task WarmCheckLatency_OnAMillionTuples()
    {
        var model = ModelParser.Parse("""
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user, group#member]
            type folder
              relations
                define viewer: [user, group#member]
            type document
              relations
                define parent: [folder]
                define owner: [user]
                define viewer: [user, group#member] or owner or viewer from parent
            """);
        var store = new InMemoryTupleStore();
        var engine = new AuthorizationEngine(model, store);
        var batch = new List<RelationshipTuple>(10_000);
        async Task Flush()
        {
            await store.WriteAsync(batch, [], TestContext.Current.CancellationToken);
            batch.Clear();
        }

        // 10k groups x 70 members, 100k documents (owner + parent + group viewer) in 10k folders with a group viewer.
        for (var g = 0; g < 10_000; g++)
        {
            for (var m = 0; m < 70; m++)
            {
                batch.Add(new RelationshipTuple($"group:{g}", "member", $"user:{(g * 70) + m}"));
            }

            if (batch.Count >= 10_000)
            {
                await Flush();
            }
        }

        for (var d = 0; d < 100_000; d++)
        {
            batch.Add(new RelationshipTuple($"document:{d}", "owner", $"user:{d}"));
            batch.Add(new RelationshipTuple($"document:{d}", "parent", $"folder:{d % 10_000}"));
            batch.Add(new RelationshipTuple($"document:{d}", "viewer", $"group:{d % 10_000}#member"));
            if (batch.Count >= 9_999)
            {
                await Flush();
            }
        }

        for (var f = 0; f < 10_000; f++)
        {
            batch.Add(new RelationshipTuple($"folder:{f}", "viewer", $"group:{(f + 1) % 10_000}#member"));
        }

        await Flush();
        output.WriteLine($"tuples: {store.Count}");

        var random = new Random(7);
        // Half the requests ask for a member of the document's own group (granted), half for a random user (mostly denied).
        var requests = Enumerable.Range(0, 20_000).Select(i =>
        {
            var document = random.Next(100_000);
            var user = i % 2 == 0 ? ((document % 10_000) * 70) + random.Next(70) : random.Next(700_000);
            return new CheckRequest($"document:{document}", "viewer", $"user:{user}");
        }).ToArray();
        foreach (var request in requests.Take(2_000))
        {
            await engine.CheckAsync(request, TestContext.Current.CancellationToken);
        }

        var timings = new double[requests.Length];
        var allowed = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < requests.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            allowed += (await engine.CheckAsync(requests[i], TestContext.Current.CancellationToken)).Allowed ? 1 : 0;
            timings[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Array.Sort(timings);
        output.WriteLine($"allowed {allowed}/{requests.Length}; p50 {timings[timings.Length / 2]:F1} us, p99 {timings[(int)(timings.Length * 0.99)]:F1} us, max {timings[^1]:F1} us; {allocated / requests.Length} B/check");
        Assert.True(store.Count > 1_000_000);
    }
}
