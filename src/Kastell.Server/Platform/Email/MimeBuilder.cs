using MimeKit;

namespace Kastell.Server.Platform.Email;

internal static class MimeBuilder
{
    /// <summary>multipart/alternative with the text part first, as mail clients expect. The recipient is read strictly.</summary>
    public static MimeMessage Build(EmailMessage message, string from, TimeProvider time)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailAddresses.Mailbox(message.To));
        mime.Subject = message.Subject;
        mime.Date = time.GetUtcNow();
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();
        return mime;
    }
}
