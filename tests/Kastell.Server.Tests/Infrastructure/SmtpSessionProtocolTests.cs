using System.Net.Sockets;
using System.Text;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>Talks raw SMTP to the sink, to check what a friendly client like MailKit never exercises.</summary>
public sealed class SmtpSessionProtocolTests(SmtpSink sink)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commands_OutOfOrder_AreRefused_AndRsetDiscardsTheTransaction()
    {
        var recipient = $"order-{Guid.NewGuid():N}@example.test";
        await using var smtp = await RawSmtpConnection.OpenAsync(sink);

        Assert.StartsWith("220 ", await smtp.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("503 ", await smtp.SendAsync("MAIL FROM:<early@example.test>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await smtp.SendAsync("HELO raw.test"), StringComparison.Ordinal);
        Assert.StartsWith("503 ", await smtp.SendAsync($"RCPT TO:<{recipient}>"), StringComparison.Ordinal);
        Assert.StartsWith("503 ", await smtp.SendAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("501 ", await smtp.SendAsync("MAIL FROM:no-brackets@example.test"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await smtp.SendAsync("MAIL FROM:<sender@example.test>"), StringComparison.Ordinal);
        Assert.StartsWith("503 ", await smtp.SendAsync("MAIL FROM:<again@example.test>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await smtp.SendAsync($"RCPT TO:<{recipient}>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await smtp.SendAsync("RSET"), StringComparison.Ordinal);
        Assert.StartsWith("503 ", await smtp.SendAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await smtp.SendAsync("NOOP"), StringComparison.Ordinal);
        Assert.StartsWith("500 ", await smtp.SendAsync("BOGUS"), StringComparison.Ordinal);
        Assert.StartsWith("221 ", await smtp.SendAsync("QUIT"), StringComparison.Ordinal);

        Assert.DoesNotContain(sink.Messages, message => message.IsAddressedTo(recipient));
    }

    [Fact]
    public async Task Data_IsUnstuffed_AndStoredUpToTheEndMarker()
    {
        var recipient = $"raw-{Guid.NewGuid():N}@example.test";
        await using var smtp = await RawSmtpConnection.OpenAsync(sink);
        await smtp.ReadReplyAsync();

        var ehlo = await smtp.SendAsync("EHLO raw.test");
        Assert.Contains("250-PIPELINING", ehlo, StringComparison.Ordinal);
        await smtp.SendAsync("MAIL FROM:<>");
        await smtp.SendAsync($"RCPT TO:<{recipient}>");
        Assert.StartsWith("354 ", await smtp.SendAsync("DATA"), StringComparison.Ordinal);
        var accepted = await smtp.SendAsync("Subject: raw\r\n\r\n..one dot\r\n...two dots\r\nlast\r\n.");
        Assert.StartsWith("250 ", accepted, StringComparison.Ordinal);
        await smtp.SendAsync("QUIT");

        var received = await sink.WaitForMessageAsync(recipient, cancellationToken: Cancellation);
        Assert.Equal("", received.EnvelopeFrom);
        Assert.Equal("Subject: raw\r\n\r\n.one dot\r\n..two dots\r\nlast\r\n", Encoding.UTF8.GetString(received.RawMime.Span));
    }

    private sealed class RawSmtpConnection : IAsyncDisposable
    {
        private readonly TcpClient client;
        private readonly NetworkStream stream;
        private readonly StreamReader reader;

        private RawSmtpConnection(TcpClient client)
        {
            this.client = client;
            stream = client.GetStream();
            reader = new StreamReader(stream, Encoding.UTF8);
        }

        public static async Task<RawSmtpConnection> OpenAsync(SmtpSink sink)
        {
            var client = new TcpClient();
            await client.ConnectAsync(sink.Host, sink.Port, Cancellation);
            return new RawSmtpConnection(client);
        }

        public async Task<string> SendAsync(string line)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), Cancellation);
            return await ReadReplyAsync();
        }

        /// <summary>Reads one reply, joining the lines of a multi-line reply ("250-…" up to "250 …").</summary>
        public async Task<string> ReadReplyAsync()
        {
            var lines = new List<string>();
            while (true)
            {
                var line = await reader.ReadLineAsync(Cancellation)
                    ?? throw new EndOfStreamException("The sink closed the connection.");
                lines.Add(line);
                if (line.Length < 4 || line[3] != '-')
                {
                    return string.Join("\n", lines);
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            reader.Dispose();
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
