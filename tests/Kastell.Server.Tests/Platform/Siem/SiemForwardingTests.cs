using System.Diagnostics;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Deletion;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Siem;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kastell.Server.Tests.Platform.Siem;

/// <summary>
/// Audit events forwarded to a real rsyslog over TLS, on each provider and in each body format: content survives
/// escaping, each chain arrives in order, the cursor is persisted, and an outage of the receiver loses nothing.
/// </summary>
public abstract class SiemForwardingTests<THost>(THost host)
    where THost : KastellHost, ISiemHost
{
    /// <summary>Characters that CEF and JSON must escape, line breaks, and text outside ASCII.</summary>
    private const string Awkward = "a|b\\c=d \"quoted\" <tag> line1\nline2\r\nümlaut ∑ cef=0|x";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RsyslogReceiver Receiver => host.Receiver;

    /// <summary>"Forwarding failed" warnings for this host's receiver so far (one per outage the forwarder runs into).</summary>
    private int FailureWarnings() =>
        host.Logs.Entries.Count(e => e.Contains("SIEM forwarding to", StringComparison.Ordinal) && e.Contains(":" + Receiver.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + " failed", StringComparison.Ordinal));

    [Fact]
    public async Task EveryChainArrives_InOrder_WithItsContentIntact_AndTheCursorIsSaved()
    {
        var first = await NewOrganizationAsync();
        var second = await NewOrganizationAsync();
        await AppendAsync(first, 7);
        await AppendAsync(second, 4);
        await AppendAsync(first, 3);

        var received = await WaitForAsync(new() { [first] = 10, [second] = 4 });

        foreach (var (chain, count) in new[] { (first, 10), (second, 4) })
        {
            var stored = await StoredAsync(chain);
            var messages = received.Where(m => m.OrganizationId == chain).ToList();
            AssertInOrder(messages, count);
            foreach (var message in messages)
            {
                var e = stored[(int)message.Sequence - 1];
                Assert.Equal(e.Hash, message.Hash);
                Assert.Equal(e.Details, message.Details);
                Assert.Equal(e.Type.ToString(), message.MessageId);
                Assert.Equal((13 * 8) + (e.Outcome == AuditOutcome.Succeeded ? 5 : 4), message.Priority);
            }

            Assert.Contains(messages, m => m.Details!.Contains("line1\\nline2", StringComparison.Ordinal) || m.Details!.Contains("line1\nline2", StringComparison.Ordinal));
            Assert.Equal(count, await CursorReachingAsync(chain, count));
        }
    }

    [Fact]
    public async Task ReceiverOutage_LosesNothing_AndForwardingResumesInOrder()
    {
        var chain = await NewOrganizationAsync();
        await AppendAsync(chain, 3);
        await WaitForAsync(new() { [chain] = 3 });
        Assert.Equal(3, await CursorReachingAsync(chain, 3));

        var failuresBefore = FailureWarnings();
        await Receiver.StopAsync();
        try
        {
            for (var round = 0; round < 4; round++)
            {
                await AppendAsync(chain, 5);
                await Task.Delay(300, Ct);
            }

            // Nothing can be confirmed while the receiver is down, so the cursor must not move past what arrived —
            // checked once the forwarder has tried to send and failed, not after a guessed pause.
            var tried = DateTime.UtcNow.AddSeconds(30);
            while (FailureWarnings() == failuresBefore && DateTime.UtcNow < tried)
            {
                await Task.Delay(50, Ct);
            }

            Assert.True(FailureWarnings() > failuresBefore, "the forwarder never tried to send while the receiver was down");
            Assert.Equal(3, await CursorAsync(chain));
        }
        finally
        {
            await Receiver.StartAsync();
        }

        var received = await WaitForAsync(new() { [chain] = 23 }, TimeSpan.FromSeconds(60));
        AssertInOrder([.. received.Where(m => m.OrganizationId == chain)], 23);
        Assert.Equal(23, await CursorReachingAsync(chain, 23));
    }

    [Fact]
    public async Task AnOrganizationDeletedBeforeItsLastEventsWereForwarded_HasThemDelivered_AndForwardingGoesOn()
    {
        var doomed = await NewOrganizationAsync();
        await AppendAsync(doomed, 3);
        await WaitForAsync(new() { [doomed] = 3 });

        // Deleted while the SIEM is down: its last events, the deletion's own event among them, wait in its chain.
        await Receiver.StopAsync();
        try
        {
            await AppendAsync(doomed, 2);
            Assert.NotNull(await host.Services.GetRequiredService<OrganizationDeletion>().DeleteAsync(doomed, AuditActor.System("siem-test"), Ct));
        }
        finally
        {
            await Receiver.StartAsync();
        }

        var other = await NewOrganizationAsync();
        await AppendAsync(other, 2);
        var received = await WaitForAsync(new() { [doomed] = 6, [other] = 2 }, TimeSpan.FromSeconds(60));
        AssertInOrder([.. received.Where(m => m.OrganizationId == doomed)], 6);
        Assert.Contains(received, m => m.OrganizationId == doomed && m.Sequence == 6 && m.MessageId == nameof(OrganizationEvents.OrganizationDeleted));
        Assert.Equal(6, await CursorReachingAsync(doomed, 6));

        // verify-audit and checkpoint-audit see the deleted organization's chain too (on PostgreSQL its rows are
        // hidden from a listing outside the organization), so its last events are verified like any others.
        var verifier = host.Services.GetRequiredService<AuditVerifier>();
        Assert.Contains(doomed, await verifier.ChainsAsync(Ct));
        var (events, _, problems) = await verifier.VerifyChainAsync(doomed, Ct);
        Assert.Equal(6, events);
        Assert.Empty(problems);
    }

    /// <summary>
    /// Every sequence number 1..count arrived, and in order: a repeat after an outage is allowed (at-least-once), but
    /// no event may show up before an earlier one of its chain first arrived.
    /// </summary>
    private static void AssertInOrder(List<ReceivedSyslog> messages, int count)
    {
        var firstArrivals = messages.Select(m => m.Sequence).Distinct().ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), firstArrivals);
    }

    private async Task<List<ReceivedSyslog>> WaitForAsync(Dictionary<Guid, int> expected, TimeSpan? timeout = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var received = (await Receiver.ReceivedAsync()).Select(ReceivedSyslog.Parse).ToList();
            var complete = expected.All(chain =>
                received.Where(m => m.OrganizationId == chain.Key).Select(m => m.Sequence).Distinct().Count() >= chain.Value);
            if (complete)
            {
                return received;
            }

            if (waited.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                Assert.Fail($"rsyslog received {received.Count} messages; expected {string.Join(", ", expected.Select(c => $"{c.Value} of {c.Key}"))}");
            }

            await Task.Delay(100, Ct);
        }
    }

    /// <summary>The forwarder walks the chains of existing organizations (on PostgreSQL it can see no others).</summary>
    private async Task<Guid> NewOrganizationAsync()
    {
        var id = Guid.NewGuid();
        var (scope, db) = host.OpenDb(id);
        await using (scope)
        {
            db.Organizations.Add(new Organization { Id = id, Name = "SIEM", Slug = "siem-" + id.ToString("N")[..12], CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        return id;
    }

    private async Task AppendAsync(Guid chain, int count)
    {
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
            for (var i = 0; i < count; i++)
            {
                audit.Record(new(i % 2 == 0 ? OrganizationEvents.SpaceCreated : AuthorizationEvents.AuthorizationDenied, AuditActor.User(Guid.NewGuid()),
                    AuditTarget.Space(Guid.NewGuid()), i % 2 == 0 ? AuditOutcome.Succeeded : AuditOutcome.Denied,
                    new Dictionary<string, string> { ["note"] = Awkward, ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            }

            await audit.FlushAsync(Ct);
        }
    }

    private async Task<List<AuditEvent>> StoredAsync(Guid chain)
    {
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == chain).OrderBy(e => e.Sequence).ToListAsync(Ct);
        }
    }

    /// <summary>
    /// The cursor once it reached <paramref name="count"/> (or after 10 s, whatever it is then): it is saved only after
    /// the receiver acknowledged the bytes, so it trails the messages rsyslog has already written.
    /// </summary>
    private async Task<long?> CursorReachingAsync(Guid chain, long count)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var cursor = await CursorAsync(chain);
            if (cursor >= count || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                return cursor;
            }

            await Task.Delay(100, Ct);
        }
    }

    private async Task<long?> CursorAsync(Guid chain)
    {
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var key = SiemCursor.ChainKey(chain);
            return await db.Set<SiemCursor>().AsNoTracking().Where(c => c.Chain == key).Select(c => (long?)c.Sequence).SingleOrDefaultAsync(Ct);
        }
    }
}

/// <summary>A Kastell host whose SIEM forwarding points at its own rsyslog receiver.</summary>
public interface ISiemHost
{
    RsyslogReceiver Receiver { get; }

    /// <summary>What the host logs (the forwarder's warnings show when it tried and failed).</summary>
    Kastell.Server.Tests.Platform.Observability.TelemetryCapture Logs { get; }
}

internal static class SiemHostSettings
{
    public static IEnumerable<KeyValuePair<string, string?>> For(RsyslogReceiver receiver, string format) =>
    [
        new("Kastell:Siem:Enabled", "true"),
        new("Kastell:Siem:Host", "localhost"),
        new("Kastell:Siem:Port", receiver.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Kastell:Siem:Format", format),
        new("Kastell:Siem:CaCertificateFile", receiver.CaFile),
        new("Kastell:Siem:PinnedPublicKeySha256", SiemTrust.PublicKeyPin(receiver.Certificates.Server)),
        new("Kastell:Siem:BatchSize", "4"),
        new("Kastell:Siem:PollInterval", "00:00:00.100"),
        new("Kastell:Siem:MaxRetryDelay", "00:00:01"),
    ];
}

public abstract class SiemSqliteHost(SmtpSink mail) : SqliteHost(mail), ISiemHost
{
    public RsyslogReceiver Receiver { get; } = new();

    public Kastell.Server.Tests.Platform.Observability.TelemetryCapture Logs { get; } = new();

    protected abstract string Format { get; }

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => SiemHostSettings.For(Receiver, Format);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Receiver.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public abstract class SiemPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), ISiemHost
{
    public RsyslogReceiver Receiver { get; } = new();

    public Kastell.Server.Tests.Platform.Observability.TelemetryCapture Logs { get; } = new();

    protected abstract string Format { get; }

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => SiemHostSettings.For(Receiver, Format);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Receiver.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SiemJsonSqliteHost(SmtpSink mail) : SiemSqliteHost(mail)
{
    protected override string Format => "Json";
}

public sealed class SiemCefSqliteHost(SmtpSink mail) : SiemSqliteHost(mail)
{
    protected override string Format => "Cef";
}

public sealed class SiemJsonPostgresHost(PostgresCluster cluster, SmtpSink mail) : SiemPostgresHost(cluster, mail)
{
    protected override string Format => "Json";
}

public sealed class SiemCefPostgresHost(PostgresCluster cluster, SmtpSink mail) : SiemPostgresHost(cluster, mail)
{
    protected override string Format => "Cef";
}

public sealed class SiemForwardingTestsOnSqliteJson(SiemJsonSqliteHost host) : SiemForwardingTests<SiemJsonSqliteHost>(host), IClassFixture<SiemJsonSqliteHost>;

public sealed class SiemForwardingTestsOnSqliteCef(SiemCefSqliteHost host) : SiemForwardingTests<SiemCefSqliteHost>(host), IClassFixture<SiemCefSqliteHost>;

public sealed class SiemForwardingTestsOnPostgresJson(SiemJsonPostgresHost host) : SiemForwardingTests<SiemJsonPostgresHost>(host), IClassFixture<SiemJsonPostgresHost>;

public sealed class SiemForwardingTestsOnPostgresCef(SiemCefPostgresHost host) : SiemForwardingTests<SiemCefPostgresHost>(host), IClassFixture<SiemCefPostgresHost>;
