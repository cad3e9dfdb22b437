using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.AuditTrail;

internal sealed record AuditPage(IReadOnlyList<AuditEvent> Events, bool HasMore, IReadOnlyDictionary<string, string> ActorNames);

/// <summary>
/// Reads the request organization's own chain (never the system chain or another tenant's: the organization id
/// comes from the tenant context, and on PostgreSQL row-level security enforces the same), newest first.
/// </summary>
internal sealed class AuditTrailQuery(KastellDbContext db, Tenant tenant, UserManager<KastellUser> users)
{
    public const int PageSize = 50;

    public async Task<AuditPage> PageAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        var rows = filter with { Page = 1 } == AuditFilter.None
            ? await UnfilteredPageAsync(filter.Page, cancellationToken)
            : await (await FilteredAsync(filter)).OrderByDescending(e => e.Sequence)
                .Skip((filter.Page - 1) * PageSize)
                .Take(PageSize + 1)
                .ToListAsync(cancellationToken);
        var page = rows.Take(PageSize).ToList();
        return new AuditPage(page, rows.Count > PageSize, await NamesAsync(page, cancellationToken));
    }

    /// <summary>
    /// The unfiltered view (the common one) as a window of sequence numbers below the chain's tail: a chain is
    /// numbered without gaps from its retention mark up, so page n is exactly the 51 numbers below the tail minus
    /// (n - 1) × 50. Unlike OFFSET, that reads 51 rows whatever plan the database picks; with row-level security and
    /// thin statistics, PostgreSQL's plan for the OFFSET form read the whole chain (see <c>AuditChainSealer.TailAsync</c>).
    /// </summary>
    private async Task<List<AuditEvent>> UnfilteredPageAsync(int page, CancellationToken cancellationToken)
    {
        var organization = tenant.RequireOrganizationId();
        var top = ((await AuditChainSealer.TailAsync(db, organization, cancellationToken))?.Sequence ?? 0) - ((long)(page - 1) * PageSize);
        var bottom = top - (PageSize + 1);
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.OrganizationId == organization && e.Sequence <= top && e.Sequence > bottom)
            .OrderByDescending(e => e.Sequence)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Up to <paramref name="take"/> matching events, newest first, strictly below sequence <paramref name="before"/> (the API's cursor).</summary>
    public async Task<List<AuditEvent>> BeforeAsync(AuditFilter filter, long? before, int take, CancellationToken cancellationToken = default) =>
        await (await FilteredAsync(filter)).Where(e => before == null || e.Sequence < before.Value)
            .OrderByDescending(e => e.Sequence).Take(take).ToListAsync(cancellationToken);

    /// <summary>Every matching event, oldest first, streamed (an export may be large).</summary>
    public async IAsyncEnumerable<AuditEvent> AllAsync(AuditFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = await FilteredAsync(filter);
        await foreach (var e in query.OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return e;
        }
    }

    private async Task<IQueryable<AuditEvent>> FilteredAsync(AuditFilter filter)
    {
        var organization = tenant.RequireOrganizationId();
        var query = db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == organization);
        if (filter.Actor is { } actor)
        {
            var actorId = await UserIdOrSelfAsync(actor);
            query = query.Where(e => e.ActorId == actorId);
        }

        if (filter.Action is { } action)
        {
            query = query.Where(e => e.Type == action);
        }

        if (filter.Target is { } target)
        {
            var targetId = await UserIdOrSelfAsync(target);
            query = query.Where(e => e.TargetId == targetId || e.TargetType == target);
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.OccurredAt < to);
        }

        return query;
    }

    /// <summary>An e-mail address stands for that account's id (events store ids); anything else is matched as typed.</summary>
    private async Task<string> UserIdOrSelfAsync(string value) =>
        value.Contains('@', StringComparison.Ordinal) && await users.FindByEmailAsync(value) is { } user ? user.Id.ToString() : value;

    /// <summary>Display names of the user ids acting or acted on (a member's sign-in) on this page, for people rather than GUIDs.</summary>
    private async Task<IReadOnlyDictionary<string, string>> NamesAsync(List<AuditEvent> events, CancellationToken cancellationToken)
    {
        var ids = events.Where(e => e.ActorKind == AuditActorKind.User).Select(e => e.ActorId)
            .Concat(events.Where(e => e.TargetType == "user").Select(e => e.TargetId))
            .Select(id => Guid.TryParse(id, out var user) ? user : (Guid?)null).OfType<Guid>().Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id.ToString(), u => $"{u.DisplayName} <{u.Email}>", cancellationToken);
    }
}
