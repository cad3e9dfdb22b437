using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>
/// The forger who knows the (public) hash encoding: an audit event is edited with raw SQL and its own hash recomputed,
/// so the event alone looks intact. The next event's link to it, and a signed checkpoint over it, must still give it
/// away, and <c>verify-audit</c> must say so and exit non-zero.
/// </summary>
public abstract class AuditRehashTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>SQL that lets the table owner change audit rows (what an attacker with the owner's credentials would run).</summary>
    protected abstract string[] DisableAppendOnlyGuard { get; }

    protected abstract string[] EnableAppendOnlyGuard { get; }

    /// <summary>A GUID as the provider stores it, for raw SQL.</summary>
    protected abstract string Literal(Guid id);

    [Fact]
    public async Task EditedEventWithRecomputedHash_InTheMiddle_IsReportedByTheBrokenLink()
    {
        var chain = await ChainAsync(5);

        await RehashAsync(chain, 3, "{\"i\":\"rewritten\"}");

        var problem = Assert.Single(await ProblemsAsync(chain));
        Assert.Equal((AuditProblemKind.Modified, 3L), (problem.Kind, problem.Sequence));
        Assert.Contains("re-hashed", problem.Message, StringComparison.Ordinal);
        await AssertVerifyAuditReportsAsync(chain, 3, "modified");
    }

    [Fact]
    public async Task EditedLastEventWithRecomputedHash_IsReportedByItsSignedCheckpoint()
    {
        // The last event has no successor whose link could betray it: only the checkpoint that signed its hash can.
        var chain = await ChainAsync(5);
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            Assert.Equal(5, (await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CreateAsync(chain, Ct))?.Sequence);
        }

        await RehashAsync(chain, 5, "{\"i\":\"rewritten\"}");

        var problem = Assert.Single(await ProblemsAsync(chain));
        Assert.Equal((AuditProblemKind.Rewritten, 5L), (problem.Kind, problem.Sequence));
        await AssertVerifyAuditReportsAsync(chain, 5, "rewritten");
    }

    /// <summary>Edits one event's details and stores the hash a forger would compute for the edited row.</summary>
    private async Task RehashAsync(Guid chain, long sequence, string details)
    {
        AuditEvent edited;
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            edited = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.OrganizationId == chain && e.Sequence == sequence, Ct);
        }

        var before = edited.Hash;
        edited.Details = details;
        edited.Hash = AuditHashing.Compute(edited);
        Assert.NotEqual(before, edited.Hash);
        Assert.True(AuditHashing.Matches(edited, sequence)); // on its own, the edited row is consistent

        await RunAsync(chain, DisableAppendOnlyGuard);
        try
        {
            await RunAsync(chain, [$"UPDATE \"AuditEvents\" SET \"Details\" = '{details}', \"Hash\" = '{edited.Hash}' WHERE \"OrganizationId\" = {Literal(chain)} AND \"Sequence\" = {sequence}"]);
        }
        finally
        {
            await RunAsync(chain, EnableAppendOnlyGuard);
        }
    }

    private async Task AssertVerifyAuditReportsAsync(Guid chain, long sequence, string kind)
    {
        using var report = new StringWriter();
        Assert.Equal(1, await Kastell.Server.Platform.Audit.VerifyAuditVerb.RunAsync(host.Services, report, Ct));
        Assert.Contains($"chain {chain} #{sequence}: {kind}", report.ToString(), StringComparison.Ordinal);
    }

    private async Task<List<AuditProblem>> ProblemsAsync(Guid chain) =>
        (await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(chain, Ct)).Problems;

    /// <summary>A real organization's chain (the verifier enumerates chains of existing organizations) with intact events.</summary>
    private async Task<Guid> ChainAsync(int count)
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "audited");
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Tenancy.Tenant>().Enter(org.Id);
        var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
        for (var i = 1; i <= count; i++)
        {
            audit.Record(new(OrganizationEvents.SpaceCreated, AuditActor.User(Guid.NewGuid()), AuditTarget.Space(Guid.NewGuid()),
                Details: new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            await audit.FlushAsync(Ct);
        }

        Assert.Empty(await ProblemsAsync(org.Id));
        return org.Id;
    }

    private async Task RunAsync(Guid organization, string[] statements)
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
}

public sealed class AuditRehashTestsOnSqlite(SqliteHost host) : AuditRehashTests(host), IClassFixture<SqliteHost>
{
    private static readonly string[] Guarded = ["AuditEvents_no_update", "AuditEvents_no_delete"];

    protected override string[] DisableAppendOnlyGuard => [.. Guarded.Select(t => $"DROP TRIGGER IF EXISTS \"{t}\"")];

    protected override string[] EnableAppendOnlyGuard => [.. Guarded.Select(t =>
        $"CREATE TRIGGER \"{t}\" BEFORE {(t.EndsWith("update", StringComparison.Ordinal) ? "UPDATE" : "DELETE")} ON \"AuditEvents\" BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END")];

    protected override string Literal(Guid id) => $"'{id.ToString().ToUpperInvariant()}'";
}

public sealed class AuditRehashTestsOnPostgres(PostgresHost host) : AuditRehashTests(host), IClassFixture<PostgresHost>
{
    protected override string[] DisableAppendOnlyGuard => ["ALTER TABLE \"AuditEvents\" DISABLE TRIGGER USER"];

    protected override string[] EnableAppendOnlyGuard => ["ALTER TABLE \"AuditEvents\" ENABLE TRIGGER USER"];

    protected override string Literal(Guid id) => $"'{id}'";
}
