using System.Threading.Channels;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// Hands messages to <see cref="EmailDispatcher"/> so a request never waits for SMTP. That keeps responses fast and,
/// more importantly, makes "we sent a mail" and "there was nobody to mail" take the same time (no user enumeration).
/// </summary>
public sealed class EmailQueue
{
    private readonly Channel<EmailMessage> _channel = Channel.CreateBounded<EmailMessage>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    internal ChannelReader<EmailMessage> Reader => _channel.Reader;

    public void Enqueue(EmailMessage message) => _channel.Writer.TryWrite(message);
}
