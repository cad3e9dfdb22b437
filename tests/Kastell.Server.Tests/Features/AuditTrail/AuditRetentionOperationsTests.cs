using Kastell.Server.Features.AuditTrail.Retention;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Siem;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Observability;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kastell.Server.Tests.Features.AuditTrail;

/// <summary>
/// Retention in operation: it never removes what the SIEM has not confirmed, and the server runs it on a schedule,
/// surviving and retrying failures. The host forwards to a SIEM that is down (a closed loopback port), so the real
/// forwarder runs and never advances a cursor by itself; the tests set cursors as a delivery would.
/// </summary>
public abstract class AuditRetentionOperationsTests<THost>(THost host)
    where THost : KastellHost, IAuditOperationsHost
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prune_StopsBelowTheSiemCursor_AndSaysSo()
    {
        var org = await OrganizationWithRetentionAsync(30);
        await RecordAsync(org, 250);
        var last = (await SequencesAsync(org)).Max();
        var later = DateTimeOffset.UtcNow.AddDays(31);

        // Nothing confirmed by the SIEM yet: everything is past the period, nothing may go.
        var held = await PruneAsync(org, later);
        Assert.Null(held.Pruned);
        Assert.Equal(new AuditSiemHold(200, 0), held.HeldBack);
        Assert.Equal(last, (await SequencesAsync(org)).Count);

        // The SIEM confirmed up to #150: the cut falls on the newest checkpoint at or below it, #100.
        await SetSiemCursorAsync(org, 150);
        var partial = await PruneAsync(org, later);
        Assert.Equal(100, partial.Pruned?.UpToSequence);
        Assert.Equal(new AuditSiemHold(200, 150), partial.HeldBack);
        // The archive directory lies outside the data directory and its path is longer than the column: the mark
        // records the archive relative to the archive directory.
        var archive = Path.Combine(host.ArchiveDirectory, $"{org:D}", "000000000001-000000000100.jsonl");
        Assert.True(archive.Length > 260);
        Assert.True(File.Exists(archive));
        Assert.Equal($"{org:D}/000000000001-000000000100.jsonl", await ArchiveFileAsync(org, 100));
        var remaining = await SequencesAsync(org);
        Assert.Equal(101, remaining.Min());
        Assert.Contains(150, remaining);
        Assert.Contains(200, remaining); // past the period, not yet delivered: survives
        Assert.Contains(host.Logs.Entries, l => l.Contains($"Audit retention of organization {org} stops at the SIEM cursor", StringComparison.Ordinal)
            && l.Contains("#200", StringComparison.Ordinal) && l.Contains("#150", StringComparison.Ordinal));
        var (_, _, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(org, Ct);
        Assert.Empty(problems);

        // The verb says so too (at the real time nothing is old enough, so only the hold can be reported when due).
        var line = AuditRetentionVerb.Describe(new(org, partial, null));
        Assert.Contains("held back by the SIEM cursor", line, StringComparison.Ordinal);
        Assert.Contains("confirmed only up to #150", line, StringComparison.Ordinal);

        // Once the SIEM has everything, the rest that is due goes.
        await SetSiemCursorAsync(org, last + 10);
        var rest = await PruneAsync(org, later);
        Assert.Equal(200, rest.Pruned?.UpToSequence);
        Assert.Null(rest.HeldBack);
    }

    [Fact]
    public async Task Scheduler_PrunesEveryOrganization_SurvivesAFailure_AndRetriesItAtTheNextRun()
    {
        var first = await OrganizationWithRetentionAsync(30);
        var second = await OrganizationWithRetentionAsync(30);
        foreach (var org in new[] { first, second })
        {
            await RecordAsync(org, 150);
            await SetSiemCursorAsync(org, 10_000);
        }

        // A file where the second organization's archive directory belongs: its archive cannot be written.
        var blocker = Path.Combine(host.ArchiveDirectory, second.ToString("D"));
        Directory.CreateDirectory(host.ArchiveDirectory);
        await File.WriteAllTextAsync(blocker, "not a directory", Ct);
        host.Clock.Offset = TimeSpan.FromDays(40);
        try
        {
            await WaitForAsync(async () => await MarkAsync(first) == 100);
            await WaitForAsync(() => Task.FromResult(host.Logs.Entries.Any(l =>
                l.Contains($"Audit retention of organization {second} failed; it is tried again at the next run", StringComparison.Ordinal))));
            Assert.Null(await MarkAsync(second));
            Assert.Equal(150, (await SequencesAsync(second)).Count(s => s <= 150)); // nothing of it removed
            using (var browser = host.CreateBrowser())
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, (await browser.GetAsync("/health/live")).StatusCode); // the host is still up
            }

            File.Delete(blocker);
            await WaitForAsync(async () => await MarkAsync(second) == 100);
        }
        finally
        {
            host.Clock.Offset = TimeSpan.Zero;
            if (File.Exists(blocker))
            {
                File.Delete(blocker);
            }
        }

        foreach (var org in new[] { first, second })
        {
            Assert.Equal(101, (await SequencesAsync(org)).Min());
            Assert.Single(Directory.GetFiles(Path.Combine(host.ArchiveDirectory, org.ToString("D")), "*.jsonl"));
            var (_, _, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(org, Ct);
            Assert.Empty(problems);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "The scheduled retention did not get there within a minute.");
            await Task.Delay(200, Ct);
        }
    }

    private async Task<AuditRetentionOutcome> PruneAsync(Guid org, DateTimeOffset now)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        return await scope.ServiceProvider.GetRequiredService<AuditRetention>().PruneAsync(now, Ct);
    }

    private async Task<Guid> OrganizationWithRetentionAsync(int days)
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var (scope, db) = host.OpenDb();
        Guid org;
        await using (scope)
        {
            org = await db.Organizations.Where(o => o.Slug == owner.OrganizationSlug).Select(o => o.Id).SingleAsync(Ct);
        }

        (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            await db.Organizations.Where(o => o.Id == org).ExecuteUpdateAsync(o => o.SetProperty(x => x.AuditRetentionDays, days), Ct);
        }

        return org;
    }

    /// <summary>Tops the chain up with seeded events until it holds <paramref name="count"/> events.</summary>
    private async Task RecordAsync(Guid org, int count)
    {
        var existing = (await SequencesAsync(org)).Count;
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
        for (var i = existing; i < count; i++)
        {
            audit.Record(new(OrganizationEvents.SpaceCreated, AuditActor.System("seeder"), new("space", $"seed-{i}")));
        }

        await audit.FlushAsync(Ct);
    }

    /// <summary>What the forwarder writes after a confirmed delivery.</summary>
    private async Task SetSiemCursorAsync(Guid org, long sequence)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            var key = SiemCursor.ChainKey(org);
            var cursor = await db.Set<SiemCursor>().SingleOrDefaultAsync(c => c.Chain == key, Ct);
            if (cursor is null)
            {
                cursor = new SiemCursor { Chain = key, OrganizationId = org };
                db.Add(cursor);
            }

            cursor.Sequence = sequence;
            cursor.UpdatedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(Ct);
        }
    }

    private async Task<List<long>> SequencesAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == org).Select(e => e.Sequence).ToListAsync(Ct);
        }
    }

    private async Task<string> ArchiveFileAsync(Guid org, long upTo)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditPrunes.Where(p => p.OrganizationId == org && p.UpToSequence == upTo).Select(p => p.ArchiveFile).SingleAsync(Ct);
        }
    }

    private async Task<long?> MarkAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditPrunes.Where(p => p.OrganizationId == org).MaxAsync(p => (long?)p.UpToSequence, Ct);
        }
    }
}

/// <summary>A clock the test can move forward; timers still run in real time.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}

public interface IAuditOperationsHost
{
    ShiftedClock Clock { get; }

    TelemetryCapture Logs { get; }

    string ArchiveDirectory { get; }
}

internal static class AuditOperationsSetup
{
    public static IEnumerable<KeyValuePair<string, string?>> Settings(string archiveDirectory) =>
    [
        // A SIEM that is down: the forwarder keeps retrying and never moves a cursor.
        new("Kastell:Siem:Enabled", "true"),
        new("Kastell:Siem:Host", "127.0.0.1"),
        new("Kastell:Siem:Port", FreeLoopbackPort.Find().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Kastell:Audit:Retention:Interval", "00:00:01"),
        new("Kastell:Audit:Retention:ArchiveDirectory", archiveDirectory),
        new("Logging:LogLevel:Kastell.Server.Features.AuditTrail", "Information"),
    ];

    /// <summary>Outside the data directory, and with a name long enough that the whole path would not fit the archive column.</summary>
    public static string NewArchiveDirectory() =>
        Path.Combine(Path.GetTempPath(), "kastell-archive-" + Guid.NewGuid().ToString("N") + new string('x', 200));

    public static void Remove(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static void Apply(IWebHostBuilder builder, IAuditOperationsHost host)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(host.Logs));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(host.Clock));
    }
}

public sealed class AuditOperationsSqliteHost(SmtpSink mail) : SqliteHost(mail), IAuditOperationsHost
{
    public ShiftedClock Clock { get; } = new();

    public TelemetryCapture Logs { get; } = new();

    public string ArchiveDirectory { get; } = AuditOperationsSetup.NewArchiveDirectory();

    private KeyValuePair<string, string?>[]? _settings;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => _settings ??= [.. AuditOperationsSetup.Settings(ArchiveDirectory)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        AuditOperationsSetup.Apply(builder, this);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        AuditOperationsSetup.Remove(ArchiveDirectory);
    }
}

public sealed class AuditOperationsPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), IAuditOperationsHost
{
    public ShiftedClock Clock { get; } = new();

    public TelemetryCapture Logs { get; } = new();

    public string ArchiveDirectory { get; } = AuditOperationsSetup.NewArchiveDirectory();

    private KeyValuePair<string, string?>[]? _settings;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => _settings ??= [.. AuditOperationsSetup.Settings(ArchiveDirectory)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        AuditOperationsSetup.Apply(builder, this);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        AuditOperationsSetup.Remove(ArchiveDirectory);
    }
}

public sealed class AuditRetentionOperationsTestsOnSqlite(AuditOperationsSqliteHost host)
    : AuditRetentionOperationsTests<AuditOperationsSqliteHost>(host), IClassFixture<AuditOperationsSqliteHost>;

public sealed class AuditRetentionOperationsTestsOnPostgres(AuditOperationsPostgresHost host)
    : AuditRetentionOperationsTests<AuditOperationsPostgresHost>(host), IClassFixture<AuditOperationsPostgresHost>;
