using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Model;
using Kastell.Authorization.Storage;
using Kastell.Server.Platform.Authorization;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>
/// A Space granted to many teams: the request's reads ask the store about all of them in one query instead of two per
/// team, and every answer stays exactly the one the store gives without batching — allowed through any of the teams
/// or through nesting, denied for someone in none of them, and a failed batch falls back to single reads.
/// </summary>
public sealed class RequestTupleReadsBatchTests
{
    private const int Teams = 12;

    private static readonly AuthorizationModel Model = ModelParser.Parse("""
        model
          schema 1.1
        type user
        type team
          relations
            define member: [user, team#member]
        type space
          relations
            define viewer: [user, team#member]
            define can_read: viewer
        """);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("user:in-team-9", true)]
    [InlineData("user:in-nested-team", true)]
    [InlineData("user:in-no-team", false)]
    public async Task AcrossManyTeams_OneQueryPerKindOfRead_AndTheSameAnswer(string user, bool expected)
    {
        var store = Store();
        var unbatched = await new AuthorizationEngine(Model, store).CheckAsync(new CheckRequest("space:s", "can_read", user), Ct);
        var counting = new CountingStore(store);

        var batched = await new AuthorizationEngine(Model, new RequestTupleReads(counting)).CheckAsync(new CheckRequest("space:s", "can_read", user), Ct);

        Assert.Equal(expected, unbatched.Allowed);
        Assert.Equal(unbatched.Allowed, batched.Allowed);
        // Without batching: two reads per team (member? nested teams?) plus the Space's own two; the nested team's two.
        // Read by object: the Space, its twelve teams together, the nested team.
        Assert.True(counting.SingleReads + counting.BatchReads <= 3, $"{counting.SingleReads} single and {counting.BatchReads} batched reads");
        Assert.True(counting.BatchReads >= 1);
    }

    [Fact]
    public async Task AFailedBatch_FallsBackToSingleReads_WithTheSameAnswer()
    {
        var counting = new CountingStore(Store()) { FailBatches = true };

        var result = await new AuthorizationEngine(Model, new RequestTupleReads(counting)).CheckAsync(new CheckRequest("space:s", "can_read", "user:in-team-9"), Ct);

        Assert.True(result.Allowed);
        Assert.True(counting.SingleReads > Teams, $"{counting.SingleReads} single reads");
    }

    [Fact]
    public async Task AWriteInTheRequest_ForgetsTheBatchedAnswers()
    {
        var store = Store();
        var reads = new RequestTupleReads(new CountingStore(store));
        var engine = new AuthorizationEngine(Model, reads);
        Assert.False((await engine.CheckAsync(new CheckRequest("space:s", "can_read", "user:newcomer"), Ct)).Allowed);

        await reads.WriteAsync([new RelationshipTuple("team:7", "member", "user:newcomer")], [], Ct);

        Assert.True((await engine.CheckAsync(new CheckRequest("space:s", "can_read", "user:newcomer"), Ct)).Allowed);
    }

    /// <summary>A Space given to twelve teams; team 0 holds a nested team; one person in team 9.</summary>
    private static InMemoryTupleStore Store()
    {
        var store = new InMemoryTupleStore();
        var tuples = Enumerable.Range(0, Teams).Select(t => new RelationshipTuple("space:s", "viewer", $"team:{t}#member"))
            .Append(new RelationshipTuple("team:9", "member", "user:in-team-9"))
            .Append(new RelationshipTuple("team:0", "member", "team:nested#member"))
            .Append(new RelationshipTuple("team:nested", "member", "user:in-nested-team"))
            .Append(new RelationshipTuple("team:3", "member", "user:someone-else"))
            .ToList();
        store.WriteAsync(tuples, []).AsTask().GetAwaiter().GetResult();
        return store;
    }

    /// <summary>The store, counting its reads; batches are answered object by object from the single reads.</summary>
    private sealed class CountingStore(InMemoryTupleStore inner) : ITupleStore, ITupleBatchReader
    {
        public int SingleReads;
        public int BatchReads;
        public bool FailBatches { get; init; }

        public ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref SingleReads);
            return inner.ReadTupleAsync(@object, relation, user, cancellationToken);
        }

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref SingleReads);
            return inner.ReadAsync(@object, relation, cancellationToken);
        }

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref SingleReads);
            return inner.ReadUsersetTuplesAsync(@object, relation, cancellationToken);
        }

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref SingleReads);
            return inner.ReadByUserAsync(user, relation, objectType, cancellationToken);
        }

        public ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(writes, deletes, cancellationToken);

        public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadObjectsAsync(
            IReadOnlyCollection<string> objects, IReadOnlyCollection<string> users, IReadOnlyCollection<string>? links, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref BatchReads);
            if (FailBatches)
            {
                throw new InvalidOperationException("the database went away");
            }

            return await ObjectReads.AnswerAsync(inner, ["member", "viewer"], objects, users, links, cancellationToken);
        }
    }
}
