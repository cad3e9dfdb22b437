using System.Diagnostics;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Observability;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Siem;

/// <summary>
/// Forwards every audit chain, in sequence order, to the syslog receiver and records per chain how far it got
/// (<see cref="SiemCursor"/>). While the receiver is unreachable it retries with exponential backoff and forwards
/// nothing out of order; when the receiver returns it resumes after the last confirmed event. Each chain is read in
/// a scope entered into its organization, so PostgreSQL row-level security applies to this job as to requests.
/// </summary>
internal sealed class SiemForwarder(
    TenantScopes scopes,
    AuditVerifier chains,
    SiemTrust trust,
    IOptions<SiemOptions> options,
    TimeProvider time,
    ILogger<SiemForwarder> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    private readonly string _hostName = Environment.MachineName;
    private SyslogTlsConnection? _connection;

    /// <summary>Deleted organizations seen so far; true once their chain is fully delivered.</summary>
    private readonly Dictionary<Guid, bool> _deleted = [];

    private SiemOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = FirstRetryDelay;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var forwarded = await ForwardPendingAsync(stoppingToken);
                if (failing)
                {
                    logger.LogInformation("SIEM forwarding resumed.");
                    failing = false;
                }

                retryDelay = FirstRetryDelay;
                if (forwarded == 0)
                {
                    await Task.Delay(Settings.PollInterval, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                if (!failing)
                {
                    // The exception names the transport problem (refused, reset, certificate); events never appear in it.
                    logger.LogWarning("SIEM forwarding to {Host}:{Port} failed, retrying with backoff: {Error}", Settings.Host, Settings.Port, exception.GetType().Name + ": " + exception.Message);
                    failing = true;
                }

                KastellTelemetry.SiemFailures.Add(1);
                await CloseAsync();
                try
                {
                    await Task.Delay(retryDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, Settings.MaxRetryDelay.Ticks));
            }
        }

        await CloseAsync();
    }

    /// <summary>One pass over all chains; returns how many events were delivered.</summary>
    internal async Task<int> ForwardPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var chain in await ChainsAsync(cancellationToken))
        {
            var forwarded = await ForwardChainAsync(chain, cancellationToken);
            if (forwarded == 0 && chain is { } organization && _deleted.ContainsKey(organization))
            {
                // A deleted organization's chain gets no new events: once it is delivered, stop asking (until a restart).
                _deleted[organization] = true;
            }

            total += forwarded;
        }

        return total;
    }

    /// <summary>
    /// The chains the verifier lists, plus those of deleted organizations (<see cref="DeletedOrganization"/>), which
    /// PostgreSQL's row-level security hides from a listing outside their organization.
    /// </summary>
    private async Task<List<Guid?>> ChainsAsync(CancellationToken cancellationToken)
    {
        var listed = await chains.ChainsAsync(cancellationToken);
        await using var scope = scopes.Open(AuditActor.System("siem-forwarder"));
        foreach (var id in await scope.Services.GetRequiredService<KastellDbContext>().Set<DeletedOrganization>().AsNoTracking().Select(d => d.Id).ToListAsync(cancellationToken))
        {
            _deleted.TryAdd(id, false);
        }

        return [.. listed.Where(c => c is not { } id || !_deleted.GetValueOrDefault(id)).Concat(_deleted.Where(d => !d.Value).Select(d => (Guid?)d.Key)).Distinct()];
    }

    private async Task<int> ForwardChainAsync(Guid? chain, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var scope = scopes.EnterChain(chain, AuditActor.System("siem-forwarder"));

            var db = scope.Services.GetRequiredService<KastellDbContext>();
            var key = SiemCursor.ChainKey(chain);
            var cursor = await db.Set<SiemCursor>().SingleOrDefaultAsync(c => c.Chain == key, cancellationToken);
            var after = cursor?.Sequence ?? 0;
            var batch = await db.Set<AuditEvent>().AsNoTracking()
                .Where(e => e.OrganizationId == chain && e.Sequence > after)
                .OrderBy(e => e.Sequence)
                .Take(Settings.BatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return total;
            }

            using (var activity = KastellTelemetry.Jobs.StartActivity("siem.forward", ActivityKind.Producer))
            {
                activity?.SetTag("kastell.audit.chain", key);
                activity?.SetTag("kastell.siem.events", batch.Count);
                await SendAsync(batch, cancellationToken);
            }

            if (cursor is null)
            {
                cursor = new SiemCursor { Chain = key, OrganizationId = chain };
                db.Add(cursor);
            }

            cursor.Sequence = batch[^1].Sequence;
            cursor.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            KastellTelemetry.SiemForwarded.Add(batch.Count);
            total += batch.Count;
            if (batch.Count < Settings.BatchSize)
            {
                return total;
            }
        }
    }

    private async Task SendAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        using var frames = new MemoryStream(batch.Count * 700);
        foreach (var e in batch)
        {
            SyslogFrame.AppendFrame(frames, SyslogFrame.Message(e, _hostName, AuditEventBody.Format(e, Settings.Format)));
        }

        if (_connection is { IsClosed: true })
        {
            await CloseAsync();
        }

        _connection ??= await SyslogTlsConnection.OpenAsync(Settings, trust, cancellationToken);
        await _connection.SendAndConfirmAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length), cancellationToken);
    }

    private async Task CloseAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }
}
