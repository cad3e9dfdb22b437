using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary>SMTP over MailKit. TLS (port 465) or STARTTLS is mandatory unless the explicit loopback exception applies.</summary>
internal sealed class SmtpEmailSender(IOptions<EmailOptions> options, TimeProvider time) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var email = options.Value;
        using var mime = MimeBuilder.Build(message, email.From, time);
        using var client = new SmtpClient();
        await client.ConnectAsync(email.SmtpHost!, email.SmtpPort, SocketSecurity(email), cancellationToken);
        if (!string.IsNullOrEmpty(email.Username))
        {
            await client.AuthenticateAsync(email.Username, email.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    internal static SecureSocketOptions SocketSecurity(EmailOptions email)
    {
        if (EmailSetup.MayUsePlainSmtp(email))
        {
            return SecureSocketOptions.None;
        }

        return email.SmtpPort == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
    }
}
