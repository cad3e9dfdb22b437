using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// Without SMTP (Development, the embedded mode): each message becomes an .eml file in
/// <c>&lt;DataDirectory&gt;/mail-outbox/</c>, appearing only once complete. The folder is 0700 and each file 0600 from
/// the moment it exists: the files hold live reset and invitation links.
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

        // Written under another name and renamed when complete: whoever picks up *.eml files (a mail relay's pickup
        // agent, the tests) never reads half a message.
        var path = Path.Combine(directory, name);
        var partial = path + ".part";
        try
        {
            await using (var stream = new FileStream(partial, file))
            {
                await mime.WriteToAsync(stream, cancellationToken);
            }

            File.Move(partial, path);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    public static string OutboxDirectory(DataDirectoryOptions data) => Path.Combine(data.ResolveDataDirectory(), "mail-outbox");
}
