using Kastell.Server.Features.AuditTrail;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>The bulk path writes rows that EF reads back unchanged and that continue one verifiable chain with the normal path.</summary>
public abstract class AuditBulkAppendTests(KastellHost host)
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BulkAndTrackedAppends_FormOneVerifiableChain_WithCheckpoints()
    {
        var chain = Guid.NewGuid();
        await RecordAsync(chain, 3);
        await BulkAsync(chain, 250);
        await RecordAsync(chain, 2);
        await BulkAsync(chain, 1);

        var (events, checkpoints, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(chain, Ct);

        Assert.Empty(problems);
        Assert.Equal(256, events);
        Assert.Equal(2, checkpoints);
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var stored = await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == chain).OrderBy(e => e.Sequence).ToListAsync(Ct);
            Assert.Equal(Enumerable.Range(1, 256).Select(i => (long)i), stored.Select(e => e.Sequence));
            var bulk = stored[3];
            Assert.Equal(OrganizationEvents.MemberRoleChanged, bulk.Type);
            Assert.Equal(AuditOutcome.Failed, bulk.Outcome);
            Assert.Equal(AuditActorKind.System, bulk.ActorKind);
            Assert.Equal("import", bulk.ActorId);
            Assert.Equal("{\"n\":\"0 \\u00FC|=\"}", bulk.Details);
            Assert.Equal(TimeSpan.Zero, bulk.OccurredAt.Offset);
            Assert.True(bulk.OccurredAt > DateTimeOffset.UtcNow.AddMinutes(-5));
        }
    }

    [Fact]
    public async Task FailureInTheMiddleOfABatch_LeavesNoEventNoCheckpoint_AndTheChainHeadWhereItWas()
    {
        var chain = Guid.NewGuid();
        await BulkAsync(chain, 150);
        var head = await HeadAsync(chain);
        var marker = "inject-" + Guid.NewGuid().ToString("N")[..8];
        await RunAsync(chain, InjectFailureOnAuditInsert(marker));
        try
        {
            // Row 200 of 300 is refused while the batch is written; the seal already numbered all 300 and signed the
            // checkpoints at #200, #300 and #400 in memory.
            await Assert.ThrowsAnyAsync<Exception>(() => BulkAsync(chain, 300, i => i == 199 ? marker : "import"));
        }
        finally
        {
            await RunAsync(chain, RemoveInjectedFailure);
        }

        await AssertUnmovedAsync(chain, head);
    }

    [Fact]
    public async Task UnfilteredAuditPages_AreWindowsBelowTheTail_LikeTheFilteredOnes()
    {
        var chain = Guid.NewGuid();
        await BulkAsync(chain, 120);

        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            var query = scope.ServiceProvider.GetRequiredService<AuditTrailQuery>();
            var pages = new List<AuditPage>();
            for (var page = 1; page <= 4; page++)
            {
                pages.Add(await query.PageAsync(AuditFilter.None with { Page = page }, Ct));
            }

            long[] Descending(int from, int count) => [.. Enumerable.Range(from, count).Reverse().Select(i => (long)i)];
            Assert.Equal(Descending(71, 50), pages[0].Events.Select(e => e.Sequence));
            Assert.Equal(Descending(21, 50), pages[1].Events.Select(e => e.Sequence));
            Assert.Equal(Descending(1, 20), pages[2].Events.Select(e => e.Sequence));
            Assert.Empty(pages[3].Events);
            Assert.Equal([true, true, false, false], pages.Select(p => p.HasMore));

            // Every bulk event has this type: the filtered (OFFSET) path must page the same way.
            var filtered = await query.PageAsync(new AuditFilter(null, OrganizationEvents.MemberRoleChanged, null, null, null, 2), Ct);
            Assert.Equal(pages[1].Events.Select(e => e.Sequence), filtered.Events.Select(e => e.Sequence));
            Assert.True(filtered.HasMore);
        }
    }

    protected async Task AssertUnmovedAsync(Guid chain, (int Events, int Checkpoints, long Sequence, string Hash) head)
    {
        Assert.Equal(head, await HeadAsync(chain));
        await BulkAsync(chain, 10);
        var (events, checkpoints, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(chain, Ct);
        Assert.Empty(problems);
        Assert.Equal((head.Events + 10, head.Checkpoints), (events, checkpoints));
    }

    /// <summary>SQL that makes inserting an audit event whose actor id contains <paramref name="marker"/> fail.</summary>
    protected abstract string[] InjectFailureOnAuditInsert(string marker);

    protected abstract string[] RemoveInjectedFailure { get; }

    protected async Task<(int Events, int Checkpoints, long Sequence, string Hash)> HeadAsync(Guid chain)
    {
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var events = await db.AuditEvents.CountAsync(e => e.OrganizationId == chain, Ct);
            var checkpoints = await db.AuditCheckpoints.CountAsync(c => c.OrganizationId == chain, Ct);
            var tail = await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == chain).OrderByDescending(e => e.Sequence).FirstAsync(Ct);
            return (events, checkpoints, tail.Sequence, tail.Hash);
        }
    }

    protected async Task BulkAsync(Guid chain, int count, Func<int, string>? actor = null)
    {
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            var entries = Enumerable.Range(0, count).Select(i => new AuditEntry(OrganizationEvents.MemberRoleChanged, AuditActor.System(actor?.Invoke(i) ?? "import"),
                AuditTarget.User(Guid.NewGuid()), AuditOutcome.Failed, new Dictionary<string, string> { ["n"] = i + " ü|=" })).ToList();
            await scope.ServiceProvider.GetRequiredService<AuditBulkAppender>().AppendAsync(entries, Ct);
        }
    }

    private async Task RunAsync(Guid chain, string[] statements)
    {
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            foreach (var sql in statements)
            {
                await db.Database.ExecuteSqlRawAsync(sql, Ct);
            }
        }
    }

    private async Task RecordAsync(Guid chain, int count)
    {
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
            for (var i = 0; i < count; i++)
            {
                audit.Record(new(OrganizationEvents.SpaceCreated, AuditActor.User(Guid.NewGuid()), AuditTarget.Space(Guid.NewGuid())));
            }

            await audit.FlushAsync(Ct);
        }
    }
}

public sealed class AuditBulkAppendTestsOnSqlite(SqliteHost host) : AuditBulkAppendTests(host), IClassFixture<SqliteHost>
{
    protected override string[] InjectFailureOnAuditInsert(string marker) =>
        [$"CREATE TRIGGER injected_failure BEFORE INSERT ON \"AuditEvents\" WHEN NEW.\"ActorId\" = '{marker}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"];

    protected override string[] RemoveInjectedFailure => ["DROP TRIGGER injected_failure"];
}

/// <summary>On PostgreSQL the batch is one INSERT of array parameters; failures both in decoding the arrays and in the insert roll everything back.</summary>
public sealed class AuditBulkAppendTestsOnPostgres(PostgresHost host) : AuditBulkAppendTests(host), IClassFixture<PostgresHost>
{
    [Fact]
    public async Task FailureInsideTheArrays_LeavesNoEventNoCheckpoint_AndTheChainHeadWhereItWas()
    {
        var chain = Guid.NewGuid();
        await BulkAsync(chain, 150);
        var head = await HeadAsync(chain);

        // PostgreSQL text cannot hold NUL: the server rejects element 200 of the actor array while decoding it.
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => BulkAsync(chain, 300, i => i == 199 ? "nul\0here" : "import"));

        Assert.Contains("0x00", failure.ToString(), StringComparison.Ordinal);
        await AssertUnmovedAsync(chain, head);
    }

    /// <summary>
    /// Every audited save reads its chain's tail. Under row-level security the planner expects about one row for a
    /// chain it has no statistics for (a new one, as here), and a plain ORDER BY … LIMIT 1 then read the whole chain.
    /// </summary>
    [Fact]
    public async Task ChainTail_ReadsOneRow_NotTheWholeChain()
    {
        var chain = Guid.NewGuid();
        await BulkAsync(chain, 3_000);

        var (tail, rowsRead) = await CountingRowsReadAsync(chain, (_, db) => AuditChainSealer.TailAsync(db, chain, Ct));

        Assert.Equal(3_000, tail!.Sequence);
        Assert.InRange(rowsRead, 1, 2);
    }

    [Fact]
    public async Task AnUnfilteredAuditPage_ReadsOnePageOfRows_NotTheWholeChain()
    {
        var chain = Guid.NewGuid();
        await BulkAsync(chain, 3_000);

        var (page, rowsRead) = await CountingRowsReadAsync(chain, (services, _) =>
            services.GetRequiredService<AuditTrailQuery>().PageAsync(AuditFilter.None with { Page = 2 }, Ct));

        Assert.Equal(2_950, page.Events[0].Sequence);
        Assert.InRange(rowsRead, 51, 53); // the tail, and the page with the one row that says there is more
    }

    /// <summary>
    /// Runs <paramref name="read"/> in the organization's scope and counts the audit rows it read. Within one
    /// transaction the backend's pending table counters move only by its own reads.
    /// </summary>
    private async Task<(T Result, long RowsRead)> CountingRowsReadAsync<T>(Guid chain, Func<IServiceProvider, KastellDbContext, Task<T>> read)
    {
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            var before = await RowsReadAsync(db);
            var result = await read(scope.ServiceProvider, db);
            return (result, await RowsReadAsync(db) - before);
        }
    }

    private static Task<long> RowsReadAsync(KastellDbContext db) => db.Database.SqlQuery<long>(
        $"SELECT coalesce(sum(seq_tup_read + idx_tup_fetch), 0)::bigint AS \"Value\" FROM pg_stat_xact_user_tables WHERE relname = 'AuditEvents'").SingleAsync(Ct);

    protected override string[] InjectFailureOnAuditInsert(string marker) =>
    [
        $"CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.\"ActorId\" = '{marker}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER injected_failure BEFORE INSERT ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION injected_failure()",
    ];

    protected override string[] RemoveInjectedFailure => ["DROP TRIGGER injected_failure ON \"AuditEvents\"", "DROP FUNCTION injected_failure()"];
}
