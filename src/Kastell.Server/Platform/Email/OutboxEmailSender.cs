using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary>Development without SMTP: each message becomes an .eml file in <c>&lt;DataDirectory&gt;/mail-outbox/</c>.</summary>
internal sealed class OutboxEmailSender(IOptions<EmailOptions> options, IOptions<DataDirectoryOptions> data, TimeProvider time) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateDirectory(OutboxDirectory(data.Value));
        using var mime = MimeBuilder.Build(message, options.Value.From, time);
        var name = $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{message.Kind}-{Guid.NewGuid():N}.eml";
        await mime.WriteToAsync(Path.Combine(directory.FullName, name), cancellationToken);
    }

    public static string OutboxDirectory(DataDirectoryOptions data) => Path.Combine(data.ResolveDataDirectory(), "mail-outbox");
}
