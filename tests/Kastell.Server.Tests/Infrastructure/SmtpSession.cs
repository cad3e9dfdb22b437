using System.Text;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// The server side of one SMTP connection (RFC 5321): EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT.
/// It enforces the command order so a client that skips a step fails its test instead of passing by accident.
/// </summary>
/// <param name="refusal">The reply for a recipient the sink is told to refuse (a 4xx or 5xx line), or null to accept it.</param>
internal sealed class SmtpSession(Stream stream, string serverName, Action<ReceivedMessage> deliver, Func<string, string?>? refusal = null)
{
    // RFC 5321 4.5.3.1 allows 512 octets per command line; message lines are allowed to be longer.
    private const int MaxCommandLength = 2048;
    private const int MaxDataLineLength = 64 * 1024;
    private const int MaxMessageSize = 32 * 1024 * 1024;

    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    private readonly SmtpLineReader reader = new(stream);
    private readonly List<string> recipients = [];
    private bool greeted;
    private string? sender;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await ReplyAsync($"220 {serverName} ESMTP Kastell test sink", cancellationToken);
        while (true)
        {
            byte[]? line;
            try
            {
                line = await reader.ReadLineAsync(MaxCommandLength, cancellationToken);
            }
            catch (InvalidDataException)
            {
                await ReplyAsync("500 5.5.2 Line too long", cancellationToken);
                return;
            }
            if (line is null)
            {
                return;
            }

            var command = Encoding.UTF8.GetString(line);
            var separator = command.IndexOf(' ');
            var verb = (separator < 0 ? command : command[..separator]).ToUpperInvariant();
            var argument = separator < 0 ? "" : command[(separator + 1)..].Trim();
            if (!await HandleAsync(verb, argument, cancellationToken))
            {
                return;
            }
        }
    }

    /// <returns>False when the session ends.</returns>
    private async Task<bool> HandleAsync(string verb, string argument, CancellationToken cancellationToken)
    {
        switch (verb)
        {
            case "EHLO":
                greeted = true;
                ResetTransaction();
                await ReplyAsync(
                    $"250-{serverName} greets {argument}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                    + $"250-ENHANCEDSTATUSCODES\r\n250 SIZE {MaxMessageSize}",
                    cancellationToken);
                return true;
            case "HELO":
                greeted = true;
                ResetTransaction();
                await ReplyAsync($"250 {serverName}", cancellationToken);
                return true;
            case "MAIL":
                await ReplyAsync(StartTransaction(argument), cancellationToken);
                return true;
            case "RCPT":
                await ReplyAsync(AddRecipient(argument), cancellationToken);
                return true;
            case "DATA":
                await ReceiveDataAsync(cancellationToken);
                return true;
            case "RSET":
                ResetTransaction();
                await ReplyAsync("250 2.0.0 Ok", cancellationToken);
                return true;
            case "NOOP":
                await ReplyAsync("250 2.0.0 Ok", cancellationToken);
                return true;
            case "VRFY":
                await ReplyAsync("252 2.1.5 Cannot verify, but will accept", cancellationToken);
                return true;
            case "QUIT":
                await ReplyAsync("221 2.0.0 Bye", cancellationToken);
                return false;
            default:
                await ReplyAsync("500 5.5.2 Command not recognized", cancellationToken);
                return true;
        }
    }

    private string StartTransaction(string argument)
    {
        if (!greeted)
        {
            return "503 5.5.1 Send EHLO or HELO first";
        }
        if (sender is not null)
        {
            return "503 5.5.1 Nested MAIL command";
        }
        if (!TryParsePath(argument, "FROM:", out var path))
        {
            return "501 5.5.4 Syntax: MAIL FROM:<address>";
        }
        sender = path;
        return "250 2.1.0 Ok";
    }

    private string AddRecipient(string argument)
    {
        if (sender is null)
        {
            return "503 5.5.1 Need MAIL before RCPT";
        }
        if (!TryParsePath(argument, "TO:", out var path) || path.Length == 0)
        {
            return "501 5.5.4 Syntax: RCPT TO:<address>";
        }
        if (refusal?.Invoke(path) is { } refused)
        {
            return refused;
        }
        recipients.Add(path);
        return "250 2.1.5 Ok";
    }

    private async Task ReceiveDataAsync(CancellationToken cancellationToken)
    {
        if (sender is null || recipients.Count == 0)
        {
            await ReplyAsync("503 5.5.1 Need MAIL and RCPT before DATA", cancellationToken);
            return;
        }
        await ReplyAsync("354 End data with <CR><LF>.<CR><LF>", cancellationToken);

        using var content = new MemoryStream();
        var tooLarge = false;
        while (true)
        {
            var line = await reader.ReadLineAsync(MaxDataLineLength, cancellationToken)
                ?? throw new EndOfStreamException("Connection closed in the middle of DATA.");
            if (line is [(byte)'.'])
            {
                break;
            }
            // Transparency (RFC 5321 4.5.2): the client doubled every leading dot; remove one.
            var unstuffed = line is [(byte)'.', ..] ? line.AsSpan(1) : line.AsSpan();
            if (content.Length + unstuffed.Length + CrLf.Length > MaxMessageSize)
            {
                // Keep reading to the end marker so the connection stays in step, then refuse.
                tooLarge = true;
                continue;
            }
            content.Write(unstuffed);
            content.Write(CrLf);
        }

        if (tooLarge)
        {
            await ReplyAsync("552 5.3.4 Message too big", cancellationToken);
        }
        else
        {
            deliver(ReceivedMessage.Parse(sender, [.. recipients], content.ToArray()));
            await ReplyAsync("250 2.0.0 Ok: queued", cancellationToken);
        }
        ResetTransaction();
    }

    private void ResetTransaction()
    {
        sender = null;
        recipients.Clear();
    }

    /// <summary>Reads "FROM:&lt;path&gt; [parameters]"; the angle brackets are required, the path may be empty.</summary>
    private static bool TryParsePath(string argument, string keyword, out string path)
    {
        path = "";
        if (!argument.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = argument[keyword.Length..].TrimStart();
        var close = rest.IndexOf('>');
        if (!rest.StartsWith('<') || close < 0)
        {
            return false;
        }
        path = rest[1..close];
        return true;
    }

    private async Task ReplyAsync(string reply, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
