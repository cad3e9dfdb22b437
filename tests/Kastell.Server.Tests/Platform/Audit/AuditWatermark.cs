using Kastell.Server.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>
/// The tail of every audit chain at one moment, so a test can ask exactly which events an action wrote. Each chain is
/// read inside its own tenant, as the application does (on PostgreSQL row-level security hides the others).
/// </summary>
internal sealed class AuditWatermark
{
    private readonly KastellHost _host;
    /// <summary>Tail sequence per chain; the system chain (null) under <see cref="Guid.Empty"/>.</summary>
    private readonly Dictionary<Guid, long> _tails;

    private AuditWatermark(KastellHost host, Dictionary<Guid, long> tails)
    {
        _host = host;
        _tails = tails;
    }

    public static async Task<AuditWatermark> TakeAsync(KastellHost host)
    {
        await SettleMemberEventCopiesAsync(host);
        var tails = new Dictionary<Guid, long>();
        foreach (var chain in await ChainsAsync(host))
        {
            tails[chain ?? Guid.Empty] = await ReadAsync(host, chain, db => db.AuditEvents.Where(e => e.OrganizationId == chain).MaxAsync(e => (long?)e.Sequence, TestContext.Current.CancellationToken)) ?? 0;
        }

        return new AuditWatermark(host, tails);
    }

    /// <summary>Every event written to any chain since the watermark was taken.</summary>
    public async Task<List<AuditEvent>> NewEventsAsync()
    {
        await SettleMemberEventCopiesAsync(_host);
        var events = new List<AuditEvent>();
        foreach (var chain in await ChainsAsync(_host))
        {
            var after = _tails.GetValueOrDefault(chain ?? Guid.Empty);
            events.AddRange(await ReadAsync(_host, chain, db => db.AuditEvents.AsNoTracking()
                .Where(e => e.OrganizationId == chain && e.Sequence > after).ToListAsync(TestContext.Current.CancellationToken)));
        }

        return events;
    }

    /// <summary>
    /// Makes the copies of members' security events (ADR 0017) that the background worker has not made yet, so that
    /// copies of what happened before the mark are before it and copies of what the action did are after it.
    /// </summary>
    public static Task SettleMemberEventCopiesAsync(KastellHost host) =>
        host.Services.GetRequiredService<MemberEventCopier>().CopyPendingAsync(TestContext.Current.CancellationToken);

    private static Task<List<Guid?>> ChainsAsync(KastellHost host) =>
        host.Services.GetRequiredService<AuditVerifier>().ChainsAsync(TestContext.Current.CancellationToken);

    private static async Task<T> ReadAsync<T>(KastellHost host, Guid? chain, Func<Kastell.Server.Platform.Data.KastellDbContext, Task<T>> read)
    {
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            return await read(db);
        }
    }
}
