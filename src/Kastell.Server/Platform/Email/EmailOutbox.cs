using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// Puts a message into the durable outbox (<see cref="OutgoingEmail"/>) through the request's own data context: inside
/// the caller's transaction it commits or rolls back with the change it belongs to. The request never waits for SMTP,
/// so "we sent a mail" and "there was nobody to mail" still take about the same time. Nothing is dropped: a recipient
/// the mail library could not address is kept as a dead letter with the reason, for an operator to see.
/// </summary>
public sealed class EmailOutbox(KastellDbContext db, IAuditLog audit, EmailDispatchSignal signal, TimeProvider time, ILogger<EmailOutbox> logger)
{
    public async Task EnqueueAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var email = new OutgoingEmail
        {
            Id = Guid.CreateVersion7(),
            Kind = message.Kind,
            Recipient = message.To,
            Subject = message.Subject,
            TextBody = message.TextBody,
            HtmlBody = message.HtmlBody,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        if (!MailAddresses.TryParse(message.To, out _))
        {
            // The forms refuse such addresses; one that slipped in earlier (an old account) is kept, visibly, not sent.
            email.State = OutgoingEmailState.DeadLetter;
            email.DeadLetteredAt = now;
            email.LastError = "invalid recipient address";
            audit.Record(EmailDispatcher.DeadLetterEntry(email));
            logger.LogWarning("A {Kind} e-mail ({Id}) has a recipient the mail library cannot address; kept as a dead letter ('mail status' lists it).", message.Kind, email.Id);
        }

        db.Set<OutgoingEmail>().Add(email);
        await db.SaveChangesAsync(cancellationToken);
        if (db.Database.CurrentTransaction is null)
        {
            signal.Wake(); // inside a transaction the dispatcher finds it on its next look, after the commit
        }
    }
}
