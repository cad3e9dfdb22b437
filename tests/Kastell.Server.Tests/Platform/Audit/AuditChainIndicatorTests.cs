using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.AuditTrail;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>
/// The audit page's incremental chain indicator: after a cached verification, tampering is still found in everything
/// it claims to re-check (ADR 0007) — after the head on the next view, below it once the re-check interval has passed —
/// and the rest once the remembered state ages past a full verification.
/// </summary>
public abstract class AuditChainIndicatorTests<THost>(THost host)
    where THost : KastellHost, IAuditOperationsHost
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AuditChainIndicator Indicator => host.Services.GetRequiredService<AuditChainIndicator>();

    [Theory]
    [InlineData("modified above the head", 275, AuditProblemKind.Modified, false)]
    [InlineData("modified head", 270, AuditProblemKind.Modified, true)]
    [InlineData("modified at a checkpoint", 100, AuditProblemKind.Modified, true)]
    [InlineData("deleted below the head", 57, AuditProblemKind.Deleted, true)]
    [InlineData("truncated", 151, AuditProblemKind.Truncated, true)]
    [InlineData("checkpoint forged", 200, AuditProblemKind.CheckpointInvalid, true)]
    public async Task TamperingAfterACachedVerification_TurnsTheIndicatorRed(string tampering, long sequence, AuditProblemKind kind, bool belowTheHead)
    {
        var (org, slug, browser) = await OrganizationAsync();
        using (browser)
        {
            await RecordUpToAsync(org, 250);
            var first = await Indicator.CheckAsync(org, Ct);
            Assert.True(first.IsIntact);
            await RecordUpToAsync(org, 270);
            var second = await Indicator.CheckAsync(org, Ct);
            Assert.True(second.IsIntact);
            Assert.Equal(first.FullyVerifiedAt, second.FullyVerifiedAt); // incremental: the head moved from #250 to #270
            Assert.Equal(270, second.Events);
            await RecordUpToAsync(org, 280);

            switch (tampering)
            {
                case "truncated":
                    // Past a signed checkpoint (#200), so the verifier can tell truncation from a shorter chain.
                    await TamperAsync(org, $"DELETE FROM \"AuditEvents\" WHERE {Chain(org)} AND \"Sequence\" > 150");
                    break;
                case "checkpoint forged":
                    await TamperAsync(org, $"UPDATE \"AuditCheckpoints\" SET \"Signature\" = 'AAAA' WHERE {Chain(org)} AND \"Sequence\" = 200");
                    break;
                case var _ when tampering.StartsWith("deleted", StringComparison.Ordinal):
                    await TamperAsync(org, $"DELETE FROM \"AuditEvents\" WHERE {Chain(org)} AND \"Sequence\" = {sequence}");
                    break;
                default:
                    await TamperAsync(org, $"UPDATE \"AuditEvents\" SET \"ActorId\" = 'forged' WHERE {Chain(org)} AND \"Sequence\" = {sequence}");
                    break;
            }

            // Below the head, a view re-checks at most every BelowHeadRecheckInterval; after the head, every view.
            host.Clock.Offset = belowTheHead ? AuditChainIndicator.BelowHeadRecheckInterval + TimeSpan.FromSeconds(1) : TimeSpan.Zero;
            try
            {
                var after = await Indicator.CheckAsync(org, Ct);
                Assert.Contains(after.Problems, p => p.Kind == kind && p.Sequence == sequence);
                await browser.GetAsync($"/o/{slug}/audit");
                Assert.Contains("data-intact=\"false\"", browser.LastPage, StringComparison.Ordinal);
            }
            finally
            {
                host.Clock.Offset = TimeSpan.Zero;
            }
        }
    }

    [Fact]
    public async Task ARowBelowTheHeadEditedQuietly_IsFoundByTheFullVerificationOnceTheRememberedStateAges()
    {
        var (org, slug, browser) = await OrganizationAsync();
        using (browser)
        {
            await RecordUpToAsync(org, 150);
            await browser.GetAsync($"/o/{slug}/audit");
            Assert.Contains("data-intact=\"true\"", browser.LastPage, StringComparison.Ordinal);

            // Neither the head nor a checkpoint: outside what a view re-checks (ADR 0007 says so), even when it re-checks below the head.
            await TamperAsync(org, $"UPDATE \"AuditEvents\" SET \"ActorId\" = 'forged' WHERE {Chain(org)} AND \"Sequence\" = 57");
            host.Clock.Offset = AuditChainIndicator.BelowHeadRecheckInterval + TimeSpan.FromSeconds(1);
            Assert.True((await Indicator.CheckAsync(org, Ct)).IsIntact);

            host.Clock.Offset = AuditChainIndicator.FullVerificationAge + TimeSpan.FromMinutes(1);
            try
            {
                var aged = await Indicator.CheckAsync(org, Ct);
                Assert.Contains(aged.Problems, p => p.Kind == AuditProblemKind.Modified && p.Sequence == 57);
            }
            finally
            {
                host.Clock.Offset = TimeSpan.Zero; // the session would have expired an hour on
            }

            // A broken chain is not remembered: the page verifies it in full again.
            await browser.GetAsync($"/o/{slug}/audit");
            Assert.Contains("data-intact=\"false\"", browser.LastPage, StringComparison.Ordinal);
        }

        // verify-audit does not wait.
        var (_, _, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(org, Ct);
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.Modified && p.Sequence == 57);
    }

    [Fact]
    public async Task ABrokenChainIsNeverRemembered_ItIsVerifiedInFullOnEveryView()
    {
        var (org, _, browser) = await OrganizationAsync();
        using (browser)
        {
            await RecordUpToAsync(org, 30);
            await TamperAsync(org, $"UPDATE \"AuditEvents\" SET \"ActorId\" = 'forged' WHERE {Chain(org)} AND \"Sequence\" = 10");
            var first = await Indicator.CheckAsync(org, Ct);
            Assert.Contains(first.Problems, p => p.Sequence == 10);
            await RecordUpToAsync(org, 40);
            var second = await Indicator.CheckAsync(org, Ct);
            Assert.Contains(second.Problems, p => p.Sequence == 10);
            Assert.True(second.FullyVerifiedAt >= first.FullyVerifiedAt);
        }
    }

    private async Task<(Guid Org, string Slug, TestBrowser Browser)> OrganizationAsync()
    {
        var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        // The owner's sign-up and enrolment are copied into the organization's chain in the background: settled here,
        // or a late copy lands between the seeding and the check and the counts are one off.
        await AuditWatermark.SettleMemberEventCopiesAsync(host);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return (await db.Organizations.Where(o => o.Slug == owner.OrganizationSlug).Select(o => o.Id).SingleAsync(Ct), owner.OrganizationSlug, browser);
        }
    }

    private async Task RecordUpToAsync(Guid org, long last)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        var db = scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Data.KastellDbContext>();
        var existing = await db.AuditEvents.Where(e => e.OrganizationId == org).MaxAsync(e => (long?)e.Sequence, Ct) ?? 0;
        var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
        for (var i = existing; i < last; i++)
        {
            audit.Record(new(OrganizationEvents.SpaceCreated, AuditActor.System("seeder"), new("space", $"seed-{i}")));
        }

        await audit.FlushAsync(Ct);
    }

    private string Chain(Guid org) => $"\"OrganizationId\" = {(host.Provider == "Sqlite" ? $"'{org.ToString().ToUpperInvariant()}'" : $"'{org}'")}";

    private Task TamperAsync(Guid org, params string[] statements) => AuditGuards.TamperAsync(host, org, statements);
}

/// <summary>Tampering as someone with database access could: the audit tables' append-only triggers lifted, then restored exactly.</summary>
internal static class AuditGuards
{
    public static async Task TamperAsync(KastellHost host, Guid org, params string[] statements)
    {
        var ct = TestContext.Current.CancellationToken;
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            var sqlite = host.Provider == "Sqlite";
            // SQLite has no "disable trigger": drop them and recreate them from their stored definitions.
            var triggers = sqlite
                ? await db.Database.SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('AuditEvents', 'AuditCheckpoints')").ToListAsync(ct)
                : [];
            string[] lift = sqlite
                ? [.. triggers.Select(t => "DROP TRIGGER " + t.Split(' ', 4)[2])]
                : ["ALTER TABLE \"AuditEvents\" DISABLE TRIGGER USER", "ALTER TABLE \"AuditCheckpoints\" DISABLE TRIGGER USER"];
            string[] restore = sqlite ? [.. triggers] : ["ALTER TABLE \"AuditEvents\" ENABLE TRIGGER USER", "ALTER TABLE \"AuditCheckpoints\" ENABLE TRIGGER USER"];
            Assert.NotEmpty(lift);
#pragma warning disable EF1002 // test-only SQL built from constants, GUIDs and the database's own trigger definitions
            foreach (var sql in lift)
            {
                await db.Database.ExecuteSqlRawAsync(sql, ct);
            }

            try
            {
                foreach (var sql in statements)
                {
                    await db.Database.ExecuteSqlRawAsync(sql, ct);
                }
            }
            finally
            {
                foreach (var sql in restore)
                {
                    // EF formats raw SQL: the definitions' literal braces (none today) would need doubling.
                    await db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), ct);
                }
            }
#pragma warning restore EF1002
        }
    }
}

public sealed class AuditChainIndicatorTestsOnSqlite(AuditOperationsSqliteHost host)
    : AuditChainIndicatorTests<AuditOperationsSqliteHost>(host), IClassFixture<AuditOperationsSqliteHost>;

public sealed class AuditChainIndicatorTestsOnPostgres(AuditOperationsPostgresHost host)
    : AuditChainIndicatorTests<AuditOperationsPostgresHost>(host), IClassFixture<AuditOperationsPostgresHost>;
