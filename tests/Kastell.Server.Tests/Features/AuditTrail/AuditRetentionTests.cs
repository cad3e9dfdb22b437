using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Kastell.Server.Features.AuditTrail;
using Kastell.Server.Features.AuditTrail.Retention;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Features.AuditTrail;

/// <summary>Retention: old events are archived and removed at a signed checkpoint, and what remains still verifies.</summary>
public abstract class AuditRetentionTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prune_ArchivesUpToTheNewestOldCheckpoint_RemovesThose_AndTheRestStillVerifies()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        var saved = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/audit", "audit-retention", new Dictionary<string, string> { ["Retention.Days"] = "30" });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("The retention period has been saved.", browser.LastPage, StringComparison.Ordinal);
        await RecordAsync(org, 250);
        var checkpoint = (await CheckpointsAsync(org)).Where(c => c.Sequence <= 250).MaxBy(c => c.Sequence)!;
        Assert.Equal(200, checkpoint.Sequence);

        Assert.Null(await PruneAsync(org, DateTimeOffset.UtcNow)); // nothing is 30 days old yet
        var result = await PruneAsync(org, DateTimeOffset.UtcNow.AddDays(31));

        Assert.NotNull(result);
        Assert.Equal(200, result.UpToSequence);
        Assert.Equal(200, result.Removed);
        var lines = await File.ReadAllLinesAsync(result.ArchivePath, Ct);
        Assert.Equal(200, lines.Length);
        Assert.Equal(1, JsonDocument.Parse(lines[0]).RootElement.GetProperty("sequence").GetInt64());
        Assert.Equal(checkpoint.Hash, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("hash").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(result.ArchivePath, Ct))), result.ArchiveSha256);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.ArchivePath));
        }

        var remaining = await EventsAsync(org);
        Assert.Equal(201, remaining.Min(e => e.Sequence));
        var pruned = Assert.Single(remaining, e => e.Type == AuditTrailEvents.AuditLogPruned);
        Assert.Contains(result.ArchiveSha256, pruned.Details, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("\"type\":\"AuditRetentionChanged\"", StringComparison.Ordinal)); // archived, not lost
        // This organization's chain only: another test in this class forges a mark in its own organization.
        var (_, _, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(org, Ct);
        Assert.Empty(problems);
        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit");
        Assert.Contains("data-intact=\"true\"", browser.LastPage, StringComparison.Ordinal);

        // Nothing newer is past its time: a second run changes nothing.
        Assert.Null(await PruneAsync(org, DateTimeOffset.UtcNow.AddDays(31)));
        // The verb applies every organization's period at the real time: nothing here is old enough yet.
        using var output = new StringWriter();
        Assert.Equal(0, await Kastell.Server.Platform.Hosting.Cli.KastellCli.RunAsync(host.Services, ["audit-retention"], output, Ct));
        Assert.Contains($"{org}: nothing past the retention period", output.ToString(), StringComparison.Ordinal);
        // Above the mark, events stay undeletable.
        await Assert.ThrowsAnyAsync<Exception>(() => DeleteRawAsync(org, "\"Sequence\" = 201"));
    }

    [Fact]
    public async Task ForgedRetentionMark_WithoutASignedCheckpoint_IsReported()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        await RecordAsync(org, 10);

        // Someone with database access writes a mark themselves to get past the delete guard.
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            db.AuditPrunes.Add(ForgedMark(org, 5, "none"));
            await db.SaveChangesAsync(Ct);
        }

        await DeleteRawAsync(org, "\"Sequence\" <= 5");

        var (_, _, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(org, Ct);
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.CheckpointInvalid && p.Sequence == 5);
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.Deleted && p.Sequence == 1);
    }

    [Fact]
    public async Task TwoRunsAtOnce_OnTheSameChain_PruneOnce_WithOneCompleteArchive()
    {
        var org = await OrganizationWithRetentionAsync(events: 250);
        var later = DateTimeOffset.UtcNow.AddDays(31);
        var archives = ArchiveDirectory(org);

        // Another writer holds the chain's lock while two runs (the scheduler and the verb, or two hosts) start, so
        // both get past their first look at the chain before either can finish.
        Task<AuditRetentionOutcome>[] runs;
        var (lockScope, lockDb) = host.OpenDb(org);
        await using (lockScope)
        {
            await using var held = await lockDb.Database.BeginTransactionAsync(Ct);
            await AuditChainSealer.LockChainAsync(lockDb, org, Ct);
            runs = [Task.Run(() => RunPruneAsync(org, later), Ct), Task.Run(() => RunPruneAsync(org, later), Ct)];
            var until = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < until && !runs.All(r => r.IsCompleted)
                && (!Directory.Exists(archives) || Directory.GetFiles(archives).Length < 2))
            {
                await Task.Delay(50, Ct);
            }

            // SQLite has no chain lock (it serializes writers itself); on PostgreSQL both runs must have written their
            // archives and be queued at the chain's advisory lock before it is released, or the test shows nothing.
            if (host is PostgresHost)
            {
                Assert.True(runs.All(r => !r.IsCompleted) && Directory.GetFiles(archives).Length >= 2, "both runs must write their archives while the chain is locked");
                var queued = DateTime.UtcNow.AddSeconds(10);
                while (await AdvisoryLockWaitersAsync() < 2 && DateTime.UtcNow < queued)
                {
                    await Task.Delay(20, Ct);
                }

                Assert.Equal(2, await AdvisoryLockWaitersAsync());
            }
        }

        var outcomes = await Task.WhenAll(runs);

        var pruned = Assert.Single(outcomes, o => o.Pruned is not null).Pruned!;
        Assert.Equal(200, pruned.UpToSequence);
        Assert.Equal(200, pruned.Removed);
        var mark = Assert.Single(await PrunesAsync(org));
        Assert.Equal(200, mark.UpToSequence);
        Assert.Equal(pruned.ArchiveSha256, mark.ArchiveSha256);
        Assert.Single(await EventsAsync(org), e => e.Type == AuditTrailEvents.AuditLogPruned);
        // One archive, complete, under its final name (no temporary file left behind), recorded relative to the archive directory.
        var archive = Assert.Single(Directory.GetFiles(archives));
        Assert.Equal($"{org:D}/000000000001-000000000200.jsonl", mark.ArchiveFile);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(archives)!, mark.ArchiveFile), archive);
        var lines = await File.ReadAllLinesAsync(archive, Ct);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sequence").GetInt64()));
        Assert.Equal(mark.ArchiveSha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(archive, Ct))));
        var (_, _, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(org, Ct);
        Assert.Empty(problems);
    }

    /// <summary>PostgreSQL sessions waiting for an advisory lock (the chain lock is one).</summary>
    private async Task<long> AdvisoryLockWaitersAsync() =>
        long.Parse(Assert.Single(await RawDatabase.ColumnAsync(host, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Prune_NeverOverwritesAnExistingArchive()
    {
        var org = await OrganizationWithRetentionAsync(events: 250);
        var directory = ArchiveDirectory(org);
        Directory.CreateDirectory(directory);
        var existing = Path.Combine(directory, "000000000001-000000000200.jsonl");
        await File.WriteAllTextAsync(existing, "another file\n", Ct);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => RunPruneAsync(org, DateTimeOffset.UtcNow.AddDays(31)));

        Assert.Contains("already exists with other content", failure.Message, StringComparison.Ordinal);
        Assert.Equal("another file\n", await File.ReadAllTextAsync(existing, Ct));
        Assert.Single(Directory.GetFiles(directory)); // the run's temporary file is gone too
        Assert.Empty(await PrunesAsync(org));
        Assert.Equal(1, (await EventsAsync(org)).Min(e => e.Sequence));
    }

    [Fact]
    public async Task RetentionMark_CannotBeStoredTwiceForTheSameSequence()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            db.AuditPrunes.AddRange(ForgedMark(org, 100, "first"), ForgedMark(org, 100, "second"));

            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        }

        Assert.Empty(await PrunesAsync(org));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("36501")]
    [InlineData("-5")]
    public async Task RetentionSetting_RejectsBadInput(string days)
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);

        var response = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/audit", "audit-retention", new Dictionary<string, string> { ["Retention.Days"] = days });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Retention: a whole number of days from 1 to 36500, or empty.", browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.Null(await db.Organizations.Where(o => o.Slug == owner.OrganizationSlug).Select(o => o.AuditRetentionDays).SingleAsync(Ct));
        }
    }

    private async Task<AuditPruneResult?> PruneAsync(Guid org, DateTimeOffset now)
    {
        var outcome = await RunPruneAsync(org, now);
        Assert.Null(outcome.HeldBack); // no SIEM here: nothing holds retention back
        return outcome.Pruned;
    }

    private string ArchiveDirectory(Guid org)
    {
        var retention = host.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Retention;
        return Path.Combine(retention.ResolveArchiveDirectory(host.Services.GetRequiredService<IOptions<DataDirectoryOptions>>().Value), org.ToString("D"));
    }

    /// <summary>A retention mark written straight to the table, as someone with database access could.</summary>
    private static AuditPrune ForgedMark(Guid org, long upTo, string archiveFile) => new()
    {
        Id = Guid.NewGuid(),
        OrganizationId = org,
        UpToSequence = upTo,
        CheckpointHash = new string('a', 64),
        PrunedAt = DateTimeOffset.UtcNow,
        ArchiveFile = archiveFile,
        ArchiveSha256 = new string('b', 64),
    };

    private async Task<AuditRetentionOutcome> RunPruneAsync(Guid org, DateTimeOffset now)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        return await scope.ServiceProvider.GetRequiredService<AuditRetention>().PruneAsync(now, Ct);
    }

    private async Task<List<AuditPrune>> PrunesAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditPrunes.AsNoTracking().Where(p => p.OrganizationId == org).ToListAsync(Ct);
        }
    }

    /// <summary>A new organization with a 30-day retention period and <paramref name="events"/> events in its chain.</summary>
    private async Task<Guid> OrganizationWithRetentionAsync(int events)
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        await browser.SubmitAsync($"/o/{owner.OrganizationSlug}/audit", "audit-retention", new Dictionary<string, string> { ["Retention.Days"] = "30" });
        await RecordAsync(org, events);
        return org;
    }

    private async Task DeleteRawAsync(Guid org, string where)
    {
        var literal = host.Provider == "Sqlite" ? $"'{org.ToString().ToUpperInvariant()}'" : $"'{org}'";
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
#pragma warning disable EF1002 // test-only SQL built from constants and a GUID
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"AuditEvents\" WHERE \"OrganizationId\" = {literal} AND {where}", Ct);
#pragma warning restore EF1002
        }
    }

    private async Task RecordAsync(Guid org, int count)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
        for (var i = 0; i < count; i++)
        {
            audit.Record(new(OrganizationEvents.SpaceCreated, AuditActor.System("seeder"), new("space", $"seed-{i}")));
        }

        await audit.FlushAsync(Ct);
    }

    private async Task<List<AuditEvent>> EventsAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == org).ToListAsync(Ct);
        }
    }

    private async Task<List<AuditCheckpoint>> CheckpointsAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditCheckpoints.AsNoTracking().Where(c => c.OrganizationId == org).ToListAsync(Ct);
        }
    }

    private async Task<Guid> OrganizationIdAsync(string slug)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(Ct);
        }
    }
}

public sealed class AuditRetentionTestsOnSqlite(SqliteHost host) : AuditRetentionTests(host), IClassFixture<SqliteHost>;

public sealed class AuditRetentionTestsOnPostgres(PostgresHost host) : AuditRetentionTests(host), IClassFixture<PostgresHost>;
