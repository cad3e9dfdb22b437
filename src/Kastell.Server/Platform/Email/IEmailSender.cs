namespace Kastell.Server.Platform.Email;

/// <summary>Delivers one message now; throws when it cannot. Callers normally go through <see cref="EmailQueue"/>.</summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
