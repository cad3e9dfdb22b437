using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kastell.Server.Platform.Storage;

public enum ScanVerdict
{
    Clean,
    Infected,

    /// <summary>The scanner could not give a verdict (down, timed out, refused the stream): quarantine, never accept.</summary>
    Unavailable,
}

/// <param name="Reason">Why there is no verdict (<see cref="ScanVerdict.Unavailable"/> only), for the audit log.</param>
public sealed record ScanResult(ScanVerdict Verdict, string? Signature = null, string? Reason = null)
{
    public const string ScannerUnavailable = "scanner unavailable";

    /// <summary>clamd refused the stream as longer than its <c>StreamMaxLength</c>: a configuration problem, never a pass.</summary>
    public const string StreamLimitExceeded = "scanner stream limit exceeded";
}

/// <summary>
/// ClamAV's clamd over its socket (<c>unix:/path</c> or <c>tcp://host:port</c>) with the INSTREAM command: the
/// plaintext is streamed in length-prefixed chunks and never written to disk for scanning.
/// </summary>
public sealed class ClamdScanner(string endpoint, TimeSpan timeout)
{
    private const int ChunkSize = 64 * 1024;

    public async Task<ScanResult> ScanAsync(Stream content, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var socket = await ConnectAsync(deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            try
            {
                await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), deadline.Token);
                var buffer = new byte[4 + ChunkSize];
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(4, ChunkSize), deadline.Token)) > 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                    await stream.WriteAsync(buffer.AsMemory(0, 4 + read), deadline.Token);
                }

                await stream.WriteAsync(new byte[4], deadline.Token); // a zero length ends the stream
            }
            catch (IOException) when (!deadline.IsCancellationRequested)
            {
                // clamd answers a stream longer than its StreamMaxLength with an error and closes the socket while
                // Kastell is still sending: the reply may be waiting, so read it before calling the scanner down.
                return Interpret(await TryReadReplyAsync(stream, deadline.Token));
            }

            return Interpret(await ReadReplyAsync(stream, deadline.Token));
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ScanResult(ScanVerdict.Unavailable, Reason: ScanResult.ScannerUnavailable);
        }
    }

    /// <summary>
    /// Whether clamd answers at all (its PING command), within <paramref name="limit"/> or the scan timeout, whichever
    /// is shorter: for the start-up warning, the readiness probe and the notice on the files page, never for a verdict.
    /// </summary>
    public async Task<bool> PingAsync(TimeSpan limit, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit < timeout ? limit : timeout);
        try
        {
            using var socket = await ConnectAsync(deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync("zPING\0"u8.ToArray(), deadline.Token);
            return await ReadReplyAsync(stream, deadline.Token) == "PONG";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>"stream: OK", "stream: NAME FOUND", or an error such as "INSTREAM size limit exceeded. ERROR".</summary>
    internal static ScanResult Interpret(string reply)
    {
        if (reply == "stream: OK")
        {
            return new ScanResult(ScanVerdict.Clean);
        }

        if (reply.StartsWith("stream: ", StringComparison.Ordinal) && reply.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            return new ScanResult(ScanVerdict.Infected, reply["stream: ".Length..^" FOUND".Length]);
        }

        return new ScanResult(ScanVerdict.Unavailable, Reason: reply.Contains("size limit exceeded", StringComparison.OrdinalIgnoreCase)
            ? ScanResult.StreamLimitExceeded
            : ScanResult.ScannerUnavailable);
    }

    private static async Task<string> TryReadReplyAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadReplyAsync(stream, cancellationToken);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        Socket socket;
        EndPoint target;
        if (endpoint.StartsWith("unix:", StringComparison.Ordinal))
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            target = new UnixDomainSocketEndPoint(endpoint["unix:".Length..]);
        }
        else
        {
            var uri = new Uri(endpoint);
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            target = new DnsEndPoint(uri.Host, uri.Port);
        }

        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<string> ReadReplyAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var reply = new MemoryStream();
        var buffer = new byte[256];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var end = Array.IndexOf(buffer, (byte)0, 0, read);
            reply.Write(buffer, 0, end < 0 ? read : end);
            if (end >= 0 || reply.Length > 4096)
            {
                break;
            }
        }

        return Encoding.UTF8.GetString(reply.ToArray()).Trim();
    }
}
