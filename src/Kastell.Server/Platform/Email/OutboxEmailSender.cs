using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// Without SMTP (Development, the embedded mode): each message becomes an .eml file in
/// <c>&lt;DataDirectory&gt;/mail-outbox/</c>. The folder is 0700 and each file 0600 from the moment it exists: the
/// files hold live reset and invitation links.
/// </summary>
internal sealed class OutboxEmailSender(IOptions<EmailOptions> options, IOptions<DataDirectoryOptions> data, TimeProvider time) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var directory = OutboxDirectory(data.Value);
        new OwnerOnlyPaths().Directory(directory).ThrowIfAnyIsShared();
        using var mime = MimeBuilder.Build(message, options.Value.From, time);
        var name = $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{message.Kind}-{Guid.NewGuid():N}.eml";
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = OwnerOnlyPaths.FileMode;
        }

        await using var stream = new FileStream(Path.Combine(directory, name), file);
        await mime.WriteToAsync(stream, cancellationToken);
    }

    public static string OutboxDirectory(DataDirectoryOptions data) => Path.Combine(data.ResolveDataDirectory(), "mail-outbox");
}
