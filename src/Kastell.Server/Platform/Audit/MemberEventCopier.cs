using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Collects, per unit of work, the system-chain events that are <see cref="MemberSecurityEventAttribute">member
/// security events</see>, and hands each to <see cref="MemberEventCopier"/> once its transaction has committed — never
/// one that was rolled back. A transaction interceptor: the copies go to other chains, which on PostgreSQL only a
/// session entered into each organization may write (row-level security), so they cannot share the transaction.
/// </summary>
internal sealed class MemberEventCopies(MemberEventCopier copier) : DbTransactionInterceptor
{
    private readonly List<(AuditEvent Event, Guid UserId)> _tracked = [];

    public void Track(AuditEvent recorded, Guid userId) => _tracked.Add((recorded, userId));

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RolledBack(eventData.Context);
        return Task.CompletedTask;
    }

    private void Committed(DbContext? context)
    {
        foreach (var saved in Saved(context))
        {
            copier.Enqueue(MemberEventCopy.Of(saved.Event, saved.UserId));
            _tracked.Remove(saved);
        }
    }

    /// <summary>Saved inside the transaction that was rolled back: gone, nothing to copy. Unsaved ones wait for their save.</summary>
    private void RolledBack(DbContext? context)
    {
        foreach (var saved in Saved(context))
        {
            _tracked.Remove(saved);
        }
    }

    private List<(AuditEvent Event, Guid UserId)> Saved(DbContext? context) =>
        context is null || _tracked.Count == 0
            ? []
            : [.. _tracked.Where(t => context.Entry(t.Event).State == EntityState.Unchanged)];
}

/// <summary>A committed system-chain event to copy into the chains of its account's organizations.</summary>
internal sealed record MemberEventCopy(Guid UserId, AuditEvent Original)
{
    /// <summary>A detached snapshot: the tracked entity belongs to the request's context.</summary>
    public static MemberEventCopy Of(AuditEvent original, Guid userId) => new(userId, new AuditEvent
    {
        Sequence = original.Sequence,
        OccurredAt = original.OccurredAt,
        Type = original.Type,
        Outcome = original.Outcome,
        ActorKind = original.ActorKind,
        ActorId = original.ActorId,
        TargetType = original.TargetType,
        TargetId = original.TargetId,
        ClientIp = original.ClientIp,
        UserAgent = original.UserAgent,
        CorrelationId = original.CorrelationId,
        Details = original.Details,
    });
}

/// <summary>
/// Writes the copies of member security events into the chain of each organization the account is a member of,
/// off the request path: a sign-in answers in the same time whether its account belongs to no organization or to
/// ten (the timing of a failed sign-in must not tell accounts apart), and one organization's chain being busy delays
/// no sign-in. Each copy keeps the original's time, actor, target, client and correlation id, and names the
/// original in <c>systemSequence</c>, so an auditor can match it against the system chain; it is sealed into the
/// organization's chain like any of its events (its own sequence, hash and checkpoints). A copy that cannot be
/// written is logged and the original stays on the system chain; copies not yet written when the process dies are
/// not repeated (the system chain remains the complete record).
/// </summary>
internal sealed partial class MemberEventCopier(TenantScopes scopes, ILogger<MemberEventCopier> logger) : BackgroundService
{
    /// <summary>Far more than sign-ins arrive in the time a copy takes; beyond it copies are dropped, loudly.</summary>
    private const int Capacity = 10_000;

    private static readonly AuditActor Actor = AuditActor.System("member-events");

    private readonly Channel<MemberEventCopy> _queue = Channel.CreateBounded<MemberEventCopy>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Enqueue(MemberEventCopy copy)
    {
        if (!_queue.Writer.TryWrite(copy))
        {
            Dropped(logger, copy.Original.Type.Name, copy.Original.Sequence);
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Copies already queued are still written (within the host's shutdown timeout); new ones are not taken.
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var copy in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await CopyAsync(copy, CancellationToken.None);
            }
            catch (Exception exception)
            {
                Failed(logger, copy.Original.Type.Name, copy.Original.Sequence, exception.GetType().Name + ": " + exception.Message);
            }
        }
    }

    /// <summary>Writes one event's copies now; for the worker and for tests that must not wait for it.</summary>
    internal async Task CopyAsync(MemberEventCopy copy, CancellationToken cancellationToken)
    {
        List<Guid> organizations;
        // Row-level security shows an account its own membership rows in every organization.
        await using (var scope = scopes.Open(AuditActor.User(copy.UserId)))
        {
            organizations = await scope.Db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
                // Only organizations the account belonged to when it happened: the copy is made in the background, and
                // an organization joined in between must not receive what came before (an enrolment before joining).
                .Where(m => m.UserId == copy.UserId && m.JoinedAt <= copy.Original.OccurredAt)
                .Select(m => m.OrganizationId).ToListAsync(cancellationToken);
        }

        foreach (var organization in organizations)
        {
            await using var scope = scopes.Enter(organization, Actor);
            scope.Db.Set<AuditEvent>().Add(CopyFor(copy, organization));
            await scope.Db.SaveChangesAsync(cancellationToken);
        }
    }

    private static AuditEvent CopyFor(MemberEventCopy copy, Guid organization)
    {
        var original = copy.Original;
        var details = original.Details is { } json
            ? JsonSerializer.Deserialize<SortedDictionary<string, string>>(json)!
            : new SortedDictionary<string, string>(StringComparer.Ordinal);
        details["systemSequence"] = original.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new AuditEvent
        {
            Id = Guid.CreateVersion7(),
            HashVersion = AuditHashing.CurrentVersion,
            OrganizationId = organization,
            OccurredAt = original.OccurredAt,
            Type = original.Type,
            Outcome = original.Outcome,
            ActorKind = original.ActorKind,
            ActorId = original.ActorId,
            TargetType = original.TargetType,
            TargetId = original.TargetId,
            ClientIp = original.ClientIp,
            UserAgent = original.UserAgent,
            CorrelationId = original.CorrelationId,
            Details = JsonSerializer.Serialize(new SortedDictionary<string, string>(details, StringComparer.Ordinal)),
        };
    }

    [LoggerMessage(EventId = 9110, Level = LogLevel.Warning, Message = "Copying member security event {Type} (system chain #{Sequence}) into its organizations failed; it stays on the system chain: {Error}")]
    private static partial void Failed(ILogger logger, string type, long sequence, string error);

    [LoggerMessage(EventId = 9111, Level = LogLevel.Warning, Message = "Member security event {Type} (system chain #{Sequence}) was not copied into its organizations: the copy queue is full. It stays on the system chain.")]
    private static partial void Dropped(ILogger logger, string type, long sequence);
}
