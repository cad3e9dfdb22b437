using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>
/// The in-memory store's absent-key filter may only ever turn away keys that are not stored: a wrong "absent" would
/// deny a granted check, or grant one that a <c>but not</c> tuple excludes.
/// </summary>
public sealed class AbsentKeyFilterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void EveryRecordedHash_IsMaybeContained_AcrossRebuilds()
    {
        var random = new Random(7);
        var filter = new AbsentKeyFilter();
        var recorded = new List<int>();
        for (var i = 0; i < 50_000; i++)
        {
            var hash = random.Next(int.MinValue, int.MaxValue);
            if (filter.IsTooSmallFor(recorded.Count + 1))
            {
                filter.Rebuild(2 * (recorded.Count + 1), recorded);
            }

            filter.Set(hash);
            recorded.Add(hash);
        }

        Assert.All(recorded, hash => Assert.True(filter.MayContain(hash)));

        // And it does filter: most hashes never recorded are turned away (8 to 32 bits per key, one hash).
        var turnedAway = Enumerable.Range(0, 10_000).Count(_ => !filter.MayContain(random.Next(int.MinValue, int.MaxValue)));
        Assert.True(turnedAway > 8_000, $"only {turnedAway} of 10,000 absent hashes were turned away");
    }

    [Fact]
    public async Task TheStore_FindsExactlyTheStoredTuples_ThroughGrowthDeletesAndRewrites()
    {
        using var store = new InMemoryTupleStore();
        var stored = new HashSet<TupleKey>();
        var everWritten = new List<TupleKey>();
        var random = new Random(11);
        for (var round = 0; round < 12; round++)
        {
            // Each round writes new tuples (the filter grows several times), deletes some and writes some deleted ones again.
            var writes = Enumerable.Range(0, 700).Select(i => new TupleKey($"document:{round}_{i}", i % 2 == 0 ? "viewer" : "editor", $"user:u{random.Next(50)}"))
                .Where(key => !stored.Contains(key)).Distinct().ToList();
            var rewrites = everWritten.Where(key => !stored.Contains(key) && random.Next(3) == 0).ToList();
            var deletes = stored.Where(_ => random.Next(5) == 0).ToList();
            await store.WriteAsync([.. writes.Concat(rewrites).Select(key => new RelationshipTuple(key.Object, key.Relation, key.User))], deletes, Ct);
            stored.ExceptWith(deletes);
            stored.UnionWith(writes.Concat(rewrites));
            everWritten.AddRange(writes);

            foreach (var key in everWritten)
            {
                var found = await store.ReadTupleAsync(key.Object, key.Relation, key.User, Ct);
                Assert.Equal(stored.Contains(key), found is not null);
            }
        }

        Assert.True(stored.Count > 5_000);
    }
}
