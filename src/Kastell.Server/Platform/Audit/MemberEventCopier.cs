using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Wakes <see cref="MemberEventCopier"/> when a unit of work that recorded a <see cref="MemberSecurityEventAttribute">
/// member security event</see> on the system chain has committed — never for one that was rolled back. Only a wake-up:
/// what to copy is read back from the system chain itself, so nothing is lost when a wake-up is.
/// </summary>
internal sealed class MemberEventCopies(MemberEventCopier copier) : DbTransactionInterceptor
{
    private readonly List<AuditEvent> _tracked = [];

    public void Track(AuditEvent recorded) => _tracked.Add(recorded);

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData.Context, committed: true);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData.Context, committed: false);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData.Context, committed: false);
        return Task.CompletedTask;
    }

    /// <summary>Events saved in the ended transaction are done with; unsaved ones wait for their own save.</summary>
    private void Ended(DbContext? context, bool committed)
    {
        if (context is null || _tracked.Count == 0)
        {
            return;
        }

        var saved = _tracked.RemoveAll(e => context.Entry(e).State == EntityState.Unchanged);
        if (committed && saved > 0)
        {
            copier.Wake();
        }
    }
}

/// <summary>How far the system chain has been copied into organizations' chains (one row).</summary>
public sealed class MemberEventCopyCursor
{
    public const int SingleId = 1;

    public int Id { get; set; } = SingleId;

    /// <summary>Every member security event up to this system-chain sequence has its copies.</summary>
    public long Sequence { get; set; }
}

/// <summary>
/// "This organization's chain holds its copy of system-chain event N", written in the same transaction as the copy:
/// a copy is made once, also when two processes or a restarted one go over the same events.
/// </summary>
public sealed class MemberEventCopyMark : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    public long SystemSequence { get; set; }
}

/// <summary>
/// Writes the copies of member security events into the chain of each organization the account belonged to when it
/// happened, off the request path: a sign-in answers in the same time whether its account belongs to no organization
/// or to ten (the timing of a failed sign-in must not tell accounts apart), and one organization's chain being busy
/// delays no sign-in. Each copy keeps the original's time, actor, target, client and correlation id, and names the
/// original in <c>systemSequence</c>, so an auditor can match it against the system chain; it is sealed into the
/// organization's chain like any of its events.
/// Durable like the mail outbox (ADR 0016, 0017): the work is the system chain itself, read from a cursor
/// (<see cref="MemberEventCopyCursor"/>) that moves only past events whose copies are committed, each copy with its
/// mark (<see cref="MemberEventCopyMark"/>). A burst, a failing organization, a crash or a restart delays copies and
/// never drops one; several processes on one database make each copy once. Woken by commits, and every
/// <see cref="PollInterval"/> for the events other processes recorded.
/// </summary>
internal sealed partial class MemberEventCopier(TenantScopes scopes, ILogger<MemberEventCopier> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private const int BatchSize = 200;

    private static readonly AuditActor Actor = AuditActor.System("member-events");

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>One pass at a time in this process (the worker, and tests that must not wait for it).</summary>
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>Asks for a pass soon; several asks before it starts make one pass.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CopyPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Not past the cursor: the same events are tried again on the next pass.
                Failed(logger, exception.GetType().Name + ": " + exception.Message);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(PollInterval);
            try
            {
                await _wake.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The poll interval passed: look for events other processes recorded.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Copies every member security event past the cursor; returns how many copies it wrote.</summary>
    internal async Task<int> CopyPendingAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var written = 0;
            while (true)
            {
                List<AuditEvent> batch;
                await using (var scope = scopes.Open(Actor))
                {
                    var cursor = await scope.Db.Set<MemberEventCopyCursor>().AsNoTracking()
                        .Where(c => c.Id == MemberEventCopyCursor.SingleId).Select(c => (long?)c.Sequence).SingleOrDefaultAsync(cancellationToken) ?? 0;
                    batch = await scope.Db.AuditEvents.IgnoreQueryFilters().AsNoTracking()
                        .Where(e => e.OrganizationId == null && e.Sequence > cursor)
                        .OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
                }

                if (batch.Count == 0)
                {
                    return written;
                }

                foreach (var original in batch)
                {
                    if (AuditEventCatalog.IsMemberSecurityEvent(original.Type) && original.TargetType == "user" && Guid.TryParse(original.TargetId, out var userId))
                    {
                        written += await CopyAsync(original, userId, cancellationToken);
                    }
                }

                await AdvanceAsync(batch[^1].Sequence, cancellationToken);
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task<int> CopyAsync(AuditEvent original, Guid userId, CancellationToken cancellationToken)
    {
        List<Guid> organizations;
        // Row-level security shows an account its own membership rows in every organization.
        await using (var scope = scopes.Open(AuditActor.User(userId)))
        {
            organizations = await scope.Db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
                // Only organizations the account belonged to when it happened: the copy is made later, and an
                // organization joined in between must not receive what came before (an enrolment before joining).
                .Where(m => m.UserId == userId && m.JoinedAt <= original.OccurredAt)
                .Select(m => m.OrganizationId).ToListAsync(cancellationToken);
        }

        var written = 0;
        foreach (var organization in organizations)
        {
            await using var scope = scopes.Enter(organization, Actor);
            var marks = scope.Db.Set<MemberEventCopyMark>();
            if (await marks.AnyAsync(m => m.SystemSequence == original.Sequence, cancellationToken))
            {
                continue;
            }

            scope.Db.Set<AuditEvent>().Add(CopyFor(original, organization));
            marks.Add(new MemberEventCopyMark { OrganizationId = organization, SystemSequence = original.Sequence });
            try
            {
                await scope.Db.SaveChangesAsync(cancellationToken);
                written++;
            }
            catch (DbUpdateException) when (!cancellationToken.IsCancellationRequested)
            {
                if (!await CopiedAsync(organization, original.Sequence, cancellationToken))
                {
                    throw;
                }

                // Another process made this copy first (its mark won): one copy, as it should be.
            }
        }

        return written;
    }

    private async Task<bool> CopiedAsync(Guid organization, long sequence, CancellationToken cancellationToken)
    {
        await using var scope = scopes.Enter(organization, Actor);
        return await scope.Db.Set<MemberEventCopyMark>().AnyAsync(m => m.SystemSequence == sequence, cancellationToken);
    }

    /// <summary>Moves the cursor forward, never back (another process may be further already).</summary>
    private async Task AdvanceAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var scope = scopes.Open(Actor);
        var cursors = scope.Db.Set<MemberEventCopyCursor>();
        if (await cursors.Where(c => c.Id == MemberEventCopyCursor.SingleId && c.Sequence < sequence)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Sequence, sequence), cancellationToken) > 0
            || await cursors.AnyAsync(c => c.Id == MemberEventCopyCursor.SingleId, cancellationToken))
        {
            return;
        }

        cursors.Add(new MemberEventCopyCursor { Sequence = sequence });
        try
        {
            await scope.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another process created the row at the same moment; the next pass moves it on from there.
        }
    }

    private static AuditEvent CopyFor(AuditEvent original, Guid organization)
    {
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

    [LoggerMessage(EventId = 9110, Level = LogLevel.Warning, Message = "Copying member security events into their organizations failed; they are tried again on the next pass: {Error}")]
    private static partial void Failed(ILogger logger, string error);
}
