namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// Reads CRLF-terminated lines as bytes, so message content reaches the sink exactly as sent (8-bit and UTF-8 too).
/// Reading from its own buffer also makes pipelined commands work: they are simply the next lines.
/// </summary>
internal sealed class SmtpLineReader(Stream stream)
{
    private readonly byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;

    /// <summary>The next line without its terminator, or null when the client closed the connection.</summary>
    /// <exception cref="InvalidDataException">The line is longer than <paramref name="maxLength"/>.</exception>
    public async Task<byte[]?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            var take = (newline < 0 ? end : newline) - start;
            if (line.Length + take > maxLength + 1)
            {
                throw new InvalidDataException($"Line longer than {maxLength} bytes.");
            }
            line.Write(buffer, start, take);
            if (newline >= 0)
            {
                start = newline + 1;
                return WithoutCarriageReturn(line.ToArray());
            }

            start = 0;
            end = await stream.ReadAsync(buffer, cancellationToken);
            if (end == 0)
            {
                return null;
            }
        }
    }

    // RFC 5321 lines end in CRLF; a bare LF is accepted too rather than failing a test on a client quirk.
    private static byte[] WithoutCarriageReturn(byte[] line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}
