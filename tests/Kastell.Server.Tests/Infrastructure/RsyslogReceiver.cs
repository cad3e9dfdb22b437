using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// A real rsyslog (Debian's rsyslogd with the GnuTLS stream driver) listening for syslog over TLS on a free loopback
/// port, writing each received message (the raw RFC 5424 text) as one line to <see cref="ReceivedFile"/>. It runs
/// with its own configuration, work directory and pid file in a temporary directory; no system syslog is touched.
/// It can be stopped and started again on the same port to simulate an outage.
/// </summary>
public sealed class RsyslogReceiver : IAsyncLifetime
{
    private const string Rsyslogd = "/usr/sbin/rsyslogd";

    private readonly string _directory = Directory.CreateTempSubdirectory("kastell-rsyslog-").FullName;
    private readonly TestCertificates _certificates = TestCertificates.Create("Kastell Test SIEM CA");
    private Process? _process;

    public int Port { get; private set; }

    public string CaFile => Path.Combine(_directory, "ca.pem");

    public string ReceivedFile => Path.Combine(_directory, "received.log");

    public TestCertificates Certificates => _certificates;

    private string ConfigFile => Path.Combine(_directory, "rsyslog.conf");

    private string PidFile => Path.Combine(_directory, "rsyslogd.pid");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Rsyslogd))
        {
            throw new InvalidOperationException($"{Rsyslogd} is missing: install the Debian packages rsyslog and rsyslog-gnutls (scripts/test.sh does).");
        }

        _certificates.WritePem(CaFile, Path.Combine(_directory, "server.pem"), Path.Combine(_directory, "server.key"));
        Directory.CreateDirectory(Path.Combine(_directory, "work"));
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort.Find();
            WriteConfig();
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Someone else took the port between Find and rsyslog binding it: try another.
            }
        }
    }

    /// <summary>Starts rsyslogd and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        File.Delete(PidFile);
        var start = new ProcessStartInfo(Rsyslogd)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-n", "-f", ConfigFile, "-i", PidFile })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("rsyslogd did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"rsyslogd exited with {_process.ExitCode} at start-up.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("rsyslogd did not listen within 20 s.");
    }

    /// <summary>Stops rsyslogd gracefully (SIGTERM, as a service manager would) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>The messages received so far, one per line.</summary>
    public async Task<string[]> ReceivedAsync()
    {
        if (!File.Exists(ReceivedFile))
        {
            return [];
        }

        await using var stream = new FileStream(ReceivedFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync();
        // A line without its newline may still be in the middle of being written.
        var complete = text.EndsWith('\n') ? text : text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _certificates.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }

    private void WriteConfig()
    {
        // imtcp with the GnuTLS driver in TLS-only mode; clients are not asked for certificates (anon). Only messages
        // from this input reach the file (own ruleset), so rsyslog's own status messages do not mix in.
        File.WriteAllText(ConfigFile, $$"""
            global(
                workDirectory="{{_directory}}/work"
                maxMessageSize="64k"
                defaultNetstreamDriver="gtls"
                defaultNetstreamDriverCAFile="{{CaFile}}"
                defaultNetstreamDriverCertFile="{{_directory}}/server.pem"
                defaultNetstreamDriverKeyFile="{{_directory}}/server.key"
            )
            module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
            template(name="raw" type="string" string="%rawmsg%\n")
            ruleset(name="siem") {
                action(type="omfile" file="{{ReceivedFile}}" template="raw")
            }
            input(type="imtcp" port="{{Port}}" address="127.0.0.1" ruleset="siem")
            """);
    }
}
