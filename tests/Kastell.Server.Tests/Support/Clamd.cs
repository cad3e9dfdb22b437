using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// One clamd (Debian's clamav-daemon) per test process, on a Unix socket in a temporary directory, with a config of
/// its own and a signature database holding only the EICAR test file (MD5 and size computed here): no freshclam,
/// no system service. Started on first use, killed when the process exits.
/// </summary>
public static class Clamd
{
    public const string Program = "/usr/sbin/clamd";
    public const string SignatureName = "Kastell-Test-EICAR";

    /// <summary>The EICAR anti-virus test file: harmless, and recognised as "infected" by design.</summary>
    public static byte[] Eicar => Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    /// <summary>The stream limit of <see cref="SmallLimitEndpoint"/>'s clamd.</summary>
    public const int SmallStreamLimit = 512 * 1024;

    private static readonly Lazy<string> Socket_ = new(() => Start("200M"), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<string> SmallLimitSocket = new(() => Start("512K"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The <c>Kastell:Storage:Clamd</c> value for the running clamd.</summary>
    public static string Endpoint => "unix:" + Socket_.Value;

    /// <summary>A second clamd whose StreamMaxLength (512 KiB) is below what Kastell uploads: a misconfigured scanner.</summary>
    public static string SmallLimitEndpoint => "unix:" + SmallLimitSocket.Value;

    /// <summary>A socket path nothing listens on: a scanner outage.</summary>
    public static string Unreachable => "unix:" + Path.Combine(Path.GetTempPath(), "kastell-no-clamd-" + Guid.NewGuid().ToString("N") + ".sock");

    private static string Start(string streamMaxLength)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"clamd is not installed ({Program} missing): apt-get install clamav-daemon, or run scripts/test.sh.");
        }

        var directory = Directory.CreateTempSubdirectory("kastell-clamd-").FullName;
        var database = Directory.CreateDirectory(Path.Combine(directory, "db")).FullName;
        File.WriteAllText(Path.Combine(database, "test.hdb"), $"{Convert.ToHexStringLower(MD5.HashData(Eicar))}:{Eicar.Length}:{SignatureName}\n");
        var socket = Path.Combine(directory, "clamd.sock");
        var config = Path.Combine(directory, "clamd.conf");
        File.WriteAllText(config, $"""
            LocalSocket {socket}
            Foreground yes
            DatabaseDirectory {database}
            TemporaryDirectory {directory}
            LogFile {Path.Combine(directory, "clamd.log")}
            StreamMaxLength {streamMaxLength}
            """);
        var process = Process.Start(new ProcessStartInfo(Program, ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        };

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                probe.Connect(new UnixDomainSocketEndPoint(socket));
                return socket;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        var log = File.Exists(Path.Combine(directory, "clamd.log")) ? File.ReadAllText(Path.Combine(directory, "clamd.log")) : "";
        throw new InvalidOperationException($"clamd did not start listening on {socket}: {log}");
    }
}
