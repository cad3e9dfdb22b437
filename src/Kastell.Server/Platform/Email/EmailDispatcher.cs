using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Observability;
using Kastell.Server.Platform.Tenancy;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// Delivers the durable outbox. Up to <see cref="EmailOptions.Concurrency"/> messages are in flight at once, each
/// claimed with a lease (so several server instances never send the same message at the same time, and the lease
/// of a crashed one runs out), each with its own time limit. A failure never waits inline: the message gets its own
/// next attempt (exponential backoff) and the dispatcher goes on with the others, so one bad message delays nobody
/// else's mail. A message the mail server refuses for good (5xx for the recipient or the message, or an address the
/// mail library cannot read), or one out of attempts, becomes a dead letter: kept with the reason, logged and
/// audited, listed by <c>mail status</c> and sent again by <c>mail retry</c>. Logs carry the kind and id, never the
/// content (it holds reset and invitation links).
/// </summary>
internal sealed class EmailDispatcher(
    TenantScopes scopes,
    IEmailSender sender,
    EmailDispatchSignal signal,
    IOptions<EmailOptions> options,
    TimeProvider time,
    ILogger<EmailDispatcher> logger) : BackgroundService
{
    /// <summary>How often the outbox is looked at when nothing woke the dispatcher (mail queued in a transaction, retries due, other instances).</summary>
    internal static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(1);

    private static readonly AuditActor Actor = AuditActor.System("mail-dispatcher");

    private readonly Dictionary<Guid, Task> _inFlight = [];

    private EmailOptions Settings => options.Value;

    /// <summary>A claim outlives the send's own time limit, so only a dead process leaves a message leased.</summary>
    private TimeSpan Lease => Settings.SendTimeout + TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var done in _inFlight.Where(f => f.Value.IsCompleted).Select(f => f.Key).ToList())
                {
                    _inFlight.Remove(done);
                }

                var free = Settings.Concurrency - _inFlight.Count;
                foreach (var id in free > 0 ? await ClaimAsync(free, stoppingToken) : [])
                {
                    _inFlight[id] = DeliverAsync(id, stoppingToken);
                }

                await signal.WaitAsync(IdleLook, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // The outbox itself could not be read (database down): look again shortly; nothing is lost.
                logger.LogWarning("Reading the e-mail outbox failed, trying again: {Error}", exception.GetType().Name + ": " + exception.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(_inFlight.Values);
    }

    /// <summary>
    /// Leases up to <paramref name="count"/> due messages, oldest due first. A live lease (this instance's messages in
    /// flight, or another instance's) is respected; the conditional update makes sure only one claimant wins.
    /// </summary>
    internal async Task<List<Guid>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        await using var scope = scopes.Open(Actor);
        var outbox = scope.Db.Set<OutgoingEmail>();
        var now = time.GetUtcNow();
        var due = await outbox.AsNoTracking()
            .Where(m => m.State == OutgoingEmailState.Pending && m.NextAttemptAt <= now && (m.LeasedUntil == null || m.LeasedUntil <= now))
            .OrderBy(m => m.NextAttemptAt)
            .Select(m => m.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
        var claimed = new List<Guid>(due.Count);
        var until = now + Lease;
        foreach (var id in due)
        {
            var won = await outbox
                .Where(m => m.Id == id && m.State == OutgoingEmailState.Pending && (m.LeasedUntil == null || m.LeasedUntil <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeasedUntil, until), cancellationToken);
            if (won == 1)
            {
                claimed.Add(id);
            }
        }

        return claimed;
    }

    private async Task DeliverAsync(Guid id, CancellationToken stoppingToken)
    {
        // Off the dispatcher's loop at once: a slow message must not hold up claiming the next ones.
        await Task.Yield();
        try
        {
            await using var scope = scopes.Open(Actor);
            var db = scope.Db;
            if (await db.Set<OutgoingEmail>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, stoppingToken) is not { } email)
            {
                return; // sent and removed by another instance whose lease had run out
            }

            using var activity = KastellTelemetry.Jobs.StartActivity("email.send");
            activity?.SetTag("kastell.email.kind", email.Kind);
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                limit.CancelAfter(Settings.SendTimeout);
                await sender.SendAsync(new EmailMessage(email.Recipient, email.Subject, email.TextBody, email.HtmlBody, email.Kind), limit.Token);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: free the message for the next start, without counting an attempt.
                await db.Set<OutgoingEmail>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null), CancellationToken.None);
                return;
            }
            catch (Exception exception)
            {
                KastellTelemetry.EmailFailures.Add(1);
                await FailedAsync(scope, email, exception);
                return;
            }

            // Accepted by the server: the content (with its links) leaves the database.
            await db.Set<OutgoingEmail>().Where(m => m.Id == id).ExecuteDeleteAsync(CancellationToken.None);
            KastellTelemetry.EmailsSent.Add(1);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Recording the outcome failed (database down): the lease runs out and the message is tried again.
            logger.LogWarning("Recording the delivery of e-mail {Id} failed; it will be tried again: {Error}", id, exception.GetType().Name + ": " + exception.Message);
        }
        finally
        {
            signal.Wake(); // a slot is free
        }
    }

    private async Task FailedAsync(TenantScope scope, OutgoingEmail email, Exception exception)
    {
        var now = time.GetUtcNow();
        email.Attempts++;
        email.LastError = Describe(exception);
        var permanent = IsPermanent(exception);
        var db = scope.Db;
        if (permanent || email.Attempts >= Settings.MaxAttempts)
        {
            email.State = OutgoingEmailState.DeadLetter;
            email.DeadLetteredAt = now;
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            await db.Set<OutgoingEmail>().Where(m => m.Id == email.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, OutgoingEmailState.DeadLetter)
                .SetProperty(m => m.Attempts, email.Attempts)
                .SetProperty(m => m.LastError, email.LastError)
                .SetProperty(m => m.DeadLetteredAt, now)
                .SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null), CancellationToken.None);
            await scope.Get<IAuditLog>().RecordNowAsync(DeadLetterEntry(email), CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            KastellTelemetry.EmailsDeadLettered.Add(1);
            logger.LogError(
                "E-mail {Id} ({Kind}) is a dead letter after {Attempts} attempt(s){Why}: {Reason}. 'mail status' lists it; 'mail retry --id {Id}' sends it again.",
                email.Id, email.Kind, email.Attempts, permanent ? ", refused for good" : "", email.LastError, email.Id);
            return;
        }

        var next = now + Backoff(email.Attempts);
        await db.Set<OutgoingEmail>().Where(m => m.Id == email.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, email.Attempts)
            .SetProperty(m => m.LastError, email.LastError)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.LeasedUntil, (DateTimeOffset?)null), CancellationToken.None);
        logger.LogWarning("Sending e-mail {Id} ({Kind}) failed (attempt {Attempts} of {MaxAttempts}), next attempt at {Next:u}: {Reason}",
            email.Id, email.Kind, email.Attempts, Settings.MaxAttempts, next, email.LastError);
    }

    /// <summary>The audit entry of a dead letter: its kind, attempts and reason, never the recipient or the content.</summary>
    internal static AuditEntry DeadLetterEntry(OutgoingEmail email) =>
        new(EmailEvents.EmailDeadLettered, Actor, new AuditTarget("email", email.Id.ToString()),
            Outcome: AuditOutcome.Failed,
            Details: new Dictionary<string, string>
            {
                ["kind"] = email.Kind,
                ["attempts"] = email.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["reason"] = email.LastError ?? "",
            });

    /// <summary>FirstRetryDelay, doubled per failed attempt up to MaxRetryDelay, with ±20 % jitter so instances do not retry in step.</summary>
    internal TimeSpan Backoff(int attempts)
    {
        var doubled = Settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(doubled, Settings.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    /// <summary>
    /// Refused for good: an address the library cannot read, or a 5xx answer for this recipient or this message. A
    /// 5xx for the sender or the log-in is the configuration's problem, shared by every message: retried until fixed.
    /// </summary>
    internal static bool IsPermanent(Exception exception) => exception switch
    {
        InvalidRecipientException => true,
        MimeKit.ParseException => true,
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted } smtp => (int)smtp.StatusCode >= 500,
        _ => false,
    };

    /// <summary>The transport's answer, on one line and cut to fit: exception messages name the server's reply, never the body.</summary>
    internal static string Describe(Exception exception)
    {
        var text = exception switch
        {
            SmtpCommandException smtp => $"SMTP {(int)smtp.StatusCode} ({smtp.ErrorCode}): {smtp.Message}",
            OperationCanceledException => "timed out",
            _ => exception.GetType().Name + ": " + exception.Message,
        };
        text = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= OutgoingEmail.MaxErrorLength ? text : text[..OutgoingEmail.MaxErrorLength];
    }
}
