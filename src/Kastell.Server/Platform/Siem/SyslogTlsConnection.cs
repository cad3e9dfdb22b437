using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Kastell.Server.Platform.Siem;

/// <summary>
/// A TLS connection to the syslog receiver. Syslog has no application-level acknowledgement, so delivery is
/// confirmed the strongest way TCP allows: the frames are written, then the connection waits until the receiver's
/// TCP stack has acknowledged every byte (Linux <c>SIOCOUTQ</c> reaches 0) and checks that the receiver did not close
/// or reset the connection meanwhile. Only then may the caller advance its cursor.
/// </summary>
internal sealed class SyslogTlsConnection : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly Task _readLoop;

    private SyslogTlsConnection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
        _readLoop = DrainAsync();
    }

    public static async Task<SyslogTlsConnection> OpenAsync(SiemOptions options, SiemTrust trust, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(ConnectTimeout);
                await tcp.ConnectAsync(options.Host!, options.Port, timeout.Token);
                var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = options.Host,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Accept(certificate, chain, errors),
                    ClientCertificates = trust.ClientCertificate is { } client ? [client] : null,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, timeout.Token);
                return new SyslogTlsConnection(tcp, tls);
            }
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>True once the receiver closed or reset the connection; a syslog receiver never sends data.</summary>
    public bool IsClosed => _readLoop.IsCompleted || SocketError() != 0;

    /// <summary>Writes the frames and returns once the receiver has acknowledged all of them; throws when that cannot be confirmed.</summary>
    public async Task SendAndConfirmAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        if (IsClosed)
        {
            throw new IOException("The syslog receiver closed the connection.");
        }

        await _tls.WriteAsync(frames, cancellationToken);
        await _tls.FlushAsync(cancellationToken);
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (UnacknowledgedBytes() > 0)
        {
            if (IsClosed || waiting.Elapsed > DeliveryTimeout)
            {
                throw new IOException("The syslog receiver did not acknowledge the sent events.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
        }

        if (IsClosed)
        {
            throw new IOException("The syslog receiver closed the connection while events were sent.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _tls.DisposeAsync();
        }
        catch (IOException)
        {
            // The receiver is gone already; nothing to close gracefully.
        }

        _tcp.Dispose();
        try
        {
            await _readLoop;
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The read loop ends with the connection, as it should.
        }
    }

    /// <summary>Reads until the receiver closes: consumes TLS session tickets and alerts and tells when the peer is gone.</summary>
    private async Task DrainAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (await _tls.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or AuthenticationException)
        {
            // A reset or a closed stream: IsClosed reports it.
        }
    }

    private int SocketError()
    {
        try
        {
            return (int)(_tcp.Client.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) ?? 0);
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Bytes sent but not yet acknowledged by the receiver's TCP stack. Where that cannot be read, nothing counts as
    /// delivered (an exception, so the batch is sent again): guessing 0 would move the cursor past unconfirmed events.
    /// </summary>
    private int UnacknowledgedBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("SIEM forwarding confirms delivery through Linux's SIOCOUTQ and runs on Linux only.");
        }

        const nuint SiocOutq = 0x5411; // TIOCOUTQ, which is SIOCOUTQ for TCP sockets
        return Ioctl((int)_tcp.Client.Handle, SiocOutq, out var pending) == 0
            ? pending
            : throw new IOException($"Could not read the unacknowledged bytes of the SIEM connection (errno {Marshal.GetLastPInvokeError()}).");
    }

    // DllImport rather than LibraryImport: the generated marshaller would need unsafe code for one out int.
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Ioctl(int descriptor, nuint request, out int value);
}
