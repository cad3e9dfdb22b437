using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>
/// The hash chain on each provider: appending, gap-free numbering under concurrency, atomicity with the recorded
/// change, and detection of each kind of tampering done with raw SQL as a database owner could.
/// </summary>
public abstract class AuditChainTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>SQL that lets the table owner change audit rows (what an attacker with the owner's credentials would run).</summary>
    protected abstract string[] DisableAppendOnlyGuard { get; }

    protected abstract string[] EnableAppendOnlyGuard { get; }

    protected abstract string[] InjectFailureOnAuditInsert(string marker);

    protected abstract string[] RemoveInjectedFailure { get; }

    protected abstract string RecreateUniqueIndex { get; }

    /// <summary>A GUID as the provider stores it, for raw SQL.</summary>
    protected abstract string Literal(Guid id);

    [Fact]
    public async Task Events_AreNumberedFromOne_AndTheChainVerifies_WithACheckpointEveryHundred()
    {
        var chain = await AppendAsync(101, batched: true);

        var (events, checkpoints, problems) = await Verifier.VerifyChainAsync(chain, Ct);

        Assert.Empty(problems);
        Assert.Equal(101, events);
        Assert.Equal(1, checkpoints);
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var sequences = await db.AuditEvents.Where(e => e.OrganizationId == chain).Select(e => e.Sequence).OrderBy(s => s).ToListAsync(Ct);
            Assert.Equal(Enumerable.Range(1, 101).Select(i => (long)i), sequences);
            var checkpoint = await db.AuditCheckpoints.SingleAsync(c => c.OrganizationId == chain, Ct);
            Assert.Equal(100, checkpoint.Sequence);
        }
    }

    [Fact]
    public async Task ConcurrentWriters_GetGapFreeUniqueSequenceNumbers()
    {
        var chain = Guid.NewGuid();
        _ = host.Services; // start the host once first: WebApplicationFactory does not guard against concurrent start-ups (each would migrate)
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => AppendAsync(5, chain: chain), Ct)));

        var (events, _, problems) = await Verifier.VerifyChainAsync(chain, Ct);

        Assert.Empty(problems);
        Assert.Equal(30, events);
    }

    [Fact]
    public async Task FailureWhileWritingTheEvent_RollsBackTheChangeItRecords()
    {
        var marker = "inject-" + Guid.NewGuid().ToString("N")[..8];
        await RunAsync(null, InjectFailureOnAuditInsert(marker));
        var organization = Guid.NewGuid();
        try
        {
            var (scope, db) = host.OpenDb(organization);
            await using (scope)
            {
                db.Organizations.Add(new Organization { Id = organization, Name = "Atomic", Slug = "atomic-" + marker, CreatedAt = DateTimeOffset.UtcNow });
                db.Spaces.Add(new Space { Id = Guid.NewGuid(), OrganizationId = organization, Name = "S", Slug = "s", CreatedAt = DateTimeOffset.UtcNow });
                scope.ServiceProvider.GetRequiredService<IAuditLog>().Record(new(OrganizationEvents.SpaceCreated, AuditActor.System("test"),
                    Details: new Dictionary<string, string> { ["marker"] = marker }));

                await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
            }
        }
        finally
        {
            await RunAsync(null, RemoveInjectedFailure);
        }

        var (check, checkDb) = host.OpenDb(organization);
        await using (check)
        {
            Assert.False(await checkDb.Organizations.AnyAsync(o => o.Id == organization, Ct));
            Assert.False(await checkDb.Spaces.IgnoreQueryFilters().AnyAsync(s => s.OrganizationId == organization, Ct));
            Assert.False(await checkDb.AuditEvents.AnyAsync(e => e.OrganizationId == organization, Ct));
        }
    }

    [Fact]
    public async Task FailureWhileWritingTheChange_LeavesNoEvent()
    {
        var organization = Guid.NewGuid();
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            db.Organizations.Add(new Organization { Id = organization, Name = "Atomic", Slug = "atomic-" + organization.ToString("N")[..8], CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
            // Two Spaces with one slug: the unique index refuses the change, in the same save as the event.
            db.Spaces.Add(new Space { Id = Guid.NewGuid(), OrganizationId = organization, Name = "A", Slug = "same", CreatedAt = DateTimeOffset.UtcNow });
            db.Spaces.Add(new Space { Id = Guid.NewGuid(), OrganizationId = organization, Name = "B", Slug = "same", CreatedAt = DateTimeOffset.UtcNow });
            scope.ServiceProvider.GetRequiredService<IAuditLog>().Record(new(OrganizationEvents.SpaceCreated, AuditActor.System("test")));

            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        }

        var (check, checkDb) = host.OpenDb(organization);
        await using (check)
        {
            Assert.False(await checkDb.Spaces.AnyAsync(Ct));
            Assert.False(await checkDb.AuditEvents.AnyAsync(e => e.OrganizationId == organization, Ct));
        }
    }

    [Fact]
    public async Task AppendOnlyGuard_RefusesUpdateAndDelete()
    {
        var chain = await AppendAsync(2);
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var update = $"UPDATE \"AuditEvents\" SET \"Details\" = NULL WHERE \"OrganizationId\" = {Literal(chain)}";
            var delete = $"DELETE FROM \"AuditEvents\" WHERE \"OrganizationId\" = {Literal(chain)}";
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(update, Ct));
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(delete, Ct));
            Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.OrganizationId == chain, Ct));
        }
    }

    [Fact]
    public async Task ModifiedField_IsDetected_AndVerifyAuditExitsNonZero()
    {
        // A real organization: on PostgreSQL the verifier can only enumerate chains of existing organizations.
        var chain = Guid.NewGuid();
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            db.Organizations.Add(new Organization { Id = chain, Name = "Tampered", Slug = "tampered-" + chain.ToString("N")[..8], CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        await AppendAsync(5, chain: chain);
        Assert.Empty(await ProblemsAsync(chain));

        await TamperAsync(chain, $"UPDATE \"AuditEvents\" SET \"Details\" = '{{\"i\":\"999\"}}' WHERE {Row(chain, 3)}");

        AssertSingleProblem(await ProblemsAsync(chain), AuditProblemKind.Modified, 3);
        using var report = new StringWriter();
        Assert.Equal(1, await Kastell.Server.Platform.Audit.VerifyAuditVerb.RunAsync(host.Services, report, Ct));
        Assert.Contains($"chain {chain} #3: modified", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedEvent_IsDetected()
    {
        var chain = await AppendAsync(5);

        await TamperAsync(chain, $"DELETE FROM \"AuditEvents\" WHERE {Row(chain, 2)}");

        AssertSingleProblem(await ProblemsAsync(chain), AuditProblemKind.Deleted, 2);
    }

    [Fact]
    public async Task SwappedSequenceNumbers_AreDetectedAsReordered()
    {
        var chain = await AppendAsync(5);

        await TamperAsync(chain,
            $"UPDATE \"AuditEvents\" SET \"Sequence\" = -3 WHERE {Row(chain, 3)}",
            $"UPDATE \"AuditEvents\" SET \"Sequence\" = 3 WHERE {Row(chain, 4)}",
            $"UPDATE \"AuditEvents\" SET \"Sequence\" = 4 WHERE {Row(chain, -3)}");

        var problems = await ProblemsAsync(chain);
        Assert.Equal([(AuditProblemKind.Reordered, 3L), (AuditProblemKind.Reordered, 4L)], problems.Select(p => (p.Kind, p.Sequence)));
    }

    [Fact]
    public async Task ForgedEventWithAValidHash_IsDetectedAsInserted()
    {
        var chain = await AppendAsync(5);
        AuditEvent original;
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            original = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.OrganizationId == chain && e.Sequence == 3, Ct);
        }

        // The forger knows the (public) encoding and links the row correctly to its predecessor.
        var forged = Clone(original);
        forged.Id = Guid.NewGuid();
        forged.Details = "{\"i\":\"forged\"}";
        forged.Hash = AuditHashing.Compute(forged);
        const string columns = "\"HashVersion\", \"OrganizationId\", \"Sequence\", \"OccurredAt\", \"Type\", \"Outcome\", \"ActorKind\", \"ActorId\", \"SpaceId\", \"TargetType\", \"TargetId\", \"ClientIp\", \"UserAgent\", \"CorrelationId\", \"PreviousHash\"";
        try
        {
            await TamperAsync(chain,
                "DROP INDEX \"IX_AuditEvents_OrganizationId_Sequence\"",
                $"INSERT INTO \"AuditEvents\" (\"Id\", \"Details\", \"Hash\", {columns}) SELECT {Literal(forged.Id)}, '{forged.Details}', '{forged.Hash}', {columns} FROM \"AuditEvents\" WHERE {Row(chain, 3)}");

            AssertSingleProblem(await ProblemsAsync(chain), AuditProblemKind.Inserted, 3);
        }
        finally
        {
            await TamperAsync(chain, $"DELETE FROM \"AuditEvents\" WHERE \"Id\" = {Literal(forged.Id)}", RecreateUniqueIndex);
        }
    }

    [Fact]
    public async Task TruncationBeforeTheLastCheckpoint_IsDetected()
    {
        var chain = await AppendAsync(5);
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var checkpoint = await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CreateAsync(chain, Ct);
            Assert.Equal(5, checkpoint?.Sequence);
        }

        await TamperAsync(chain, $"DELETE FROM \"AuditEvents\" WHERE \"OrganizationId\" = {Literal(chain)} AND \"Sequence\" >= 4");

        AssertSingleProblem(await ProblemsAsync(chain), AuditProblemKind.Truncated, 4);
    }

    [Fact]
    public async Task CheckpointWithAnotherHash_FailsItsSignature()
    {
        var chain = await AppendAsync(3);
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CreateAsync(chain, Ct);
        }

        await TamperAsync(chain, $"UPDATE \"AuditCheckpoints\" SET \"Hash\" = '{new string('a', 64)}' WHERE \"OrganizationId\" = {Literal(chain)}");

        AssertSingleProblem(await ProblemsAsync(chain), AuditProblemKind.CheckpointInvalid, 3);
    }

    private AuditVerifier Verifier => host.Services.GetRequiredService<AuditVerifier>();

    private async Task<List<AuditProblem>> ProblemsAsync(Guid chain) => (await Verifier.VerifyChainAsync(chain, Ct)).Problems;

    private static void AssertSingleProblem(List<AuditProblem> problems, AuditProblemKind kind, long sequence)
    {
        var problem = Assert.Single(problems);
        Assert.Equal((kind, sequence), (problem.Kind, problem.Sequence));
    }

    private string Row(Guid chain, long sequence) => $"\"OrganizationId\" = {Literal(chain)} AND \"Sequence\" = {sequence}";

    /// <summary>Appends events to a chain of its own (an organization id with no organization behind it is enough).</summary>
    private async Task<Guid> AppendAsync(int count, bool batched = false, Guid? chain = null)
    {
        var organization = chain ?? Guid.NewGuid();
        var (scope, _) = host.OpenDb(organization);
        await using (scope)
        {
            var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
            for (var i = 1; i <= count; i++)
            {
                audit.Record(new(OrganizationEvents.SpaceCreated, AuditActor.User(Guid.NewGuid()), AuditTarget.Space(Guid.NewGuid()),
                    Details: new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
                if (!batched)
                {
                    await audit.FlushAsync(Ct);
                }
            }

            await audit.FlushAsync(Ct);
        }

        return organization;
    }

    private async Task TamperAsync(Guid chain, params string[] statements)
    {
        await RunAsync(chain, DisableAppendOnlyGuard);
        try
        {
            await RunAsync(chain, statements);
        }
        finally
        {
            await RunAsync(chain, EnableAppendOnlyGuard);
        }
    }

    private async Task RunAsync(Guid? organization, string[] statements)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            foreach (var sql in statements)
            {
                // Raw SQL goes through string.Format in EF: literal braces (JSON) must be doubled.
                await db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), Ct);
            }
        }
    }

    private static AuditEvent Clone(AuditEvent e) => new()
    {
        Id = e.Id, HashVersion = e.HashVersion, OrganizationId = e.OrganizationId, Sequence = e.Sequence, OccurredAt = e.OccurredAt,
        Type = e.Type, Outcome = e.Outcome, ActorKind = e.ActorKind, ActorId = e.ActorId, SpaceId = e.SpaceId,
        TargetType = e.TargetType, TargetId = e.TargetId, ClientIp = e.ClientIp, UserAgent = e.UserAgent,
        CorrelationId = e.CorrelationId, Details = e.Details, PreviousHash = e.PreviousHash, Hash = e.Hash,
    };
}

public sealed class AuditChainTestsOnSqlite(SqliteHost host) : AuditChainTests(host), IClassFixture<SqliteHost>
{
    private static readonly string[] Guarded = ["AuditEvents_no_update", "AuditEvents_no_delete", "AuditCheckpoints_no_update", "AuditCheckpoints_no_delete"];

    protected override string[] DisableAppendOnlyGuard => [.. Guarded.Select(t => $"DROP TRIGGER IF EXISTS \"{t}\"")];

    protected override string[] EnableAppendOnlyGuard => [.. Guarded.Select(t =>
        $"CREATE TRIGGER \"{t}\" BEFORE {(t.EndsWith("update", StringComparison.Ordinal) ? "UPDATE" : "DELETE")} ON \"{t[..t.IndexOf("_no_", StringComparison.Ordinal)]}\" BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END")];

    protected override string[] InjectFailureOnAuditInsert(string marker) =>
        [$"CREATE TRIGGER injected_failure BEFORE INSERT ON \"AuditEvents\" WHEN NEW.\"Details\" LIKE '%{marker}%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"];

    protected override string[] RemoveInjectedFailure => ["DROP TRIGGER injected_failure"];

    protected override string RecreateUniqueIndex => "CREATE UNIQUE INDEX \"IX_AuditEvents_OrganizationId_Sequence\" ON \"AuditEvents\" (\"OrganizationId\", \"Sequence\")";

    protected override string Literal(Guid id) => $"'{id.ToString().ToUpperInvariant()}'";
}

public sealed class AuditChainTestsOnPostgres(PostgresHost host) : AuditChainTests(host), IClassFixture<PostgresHost>
{
    protected override string[] DisableAppendOnlyGuard => ["ALTER TABLE \"AuditEvents\" DISABLE TRIGGER USER", "ALTER TABLE \"AuditCheckpoints\" DISABLE TRIGGER USER"];

    protected override string[] EnableAppendOnlyGuard => ["ALTER TABLE \"AuditEvents\" ENABLE TRIGGER USER", "ALTER TABLE \"AuditCheckpoints\" ENABLE TRIGGER USER"];

    protected override string[] InjectFailureOnAuditInsert(string marker) =>
    [
        $"CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.\"Details\" LIKE '%{marker}%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER injected_failure BEFORE INSERT ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION injected_failure()",
    ];

    protected override string[] RemoveInjectedFailure => ["DROP TRIGGER injected_failure ON \"AuditEvents\"", "DROP FUNCTION injected_failure()"];

    protected override string RecreateUniqueIndex => "CREATE UNIQUE INDEX \"IX_AuditEvents_OrganizationId_Sequence\" ON \"AuditEvents\" (\"OrganizationId\", \"Sequence\") NULLS NOT DISTINCT";

    protected override string Literal(Guid id) => $"'{id}'";
}
