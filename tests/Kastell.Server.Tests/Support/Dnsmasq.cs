using System.Diagnostics;
using System.Net;
using DnsClient;
using Kastell.Server.Tests.Infrastructure;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// A real DNS server for the verified-domain tests: Debian's dnsmasq (package dnsmasq-base, installed by
/// scripts/test.sh) on a loopback port of its own, with a configuration of its own holding the TXT records the test
/// published, and nothing else: no upstream, no /etc/hosts, and NXDOMAIN for every other name (<c>local=/#/</c>).
/// dnsmasq reads <c>txt-record</c> lines only at start (SIGHUP reloads hosts files, not these), so a change of
/// records restarts it on the same port. Killed when disposed or when the test process exits.
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    public const string Program = "/usr/sbin/dnsmasq";

    private const string ReadyName = "ready.kastell-dnsmasq.test";

    private readonly Dictionary<string, List<string>> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _broken = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _directory = Directory.CreateTempSubdirectory("kastell-dnsmasq-").FullName;
    private readonly Lock _gate = new();
    private Process? _process;

    public Dnsmasq()
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"dnsmasq is not installed ({Program} missing): apt-get install dnsmasq-base, or run scripts/test.sh.");
        }

        Port = FreeLoopbackPort.Find();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        Start();
    }

    public int Port { get; }

    /// <summary>The value of <c>Kastell:Domains:Resolvers</c> that points at this server.</summary>
    public string Resolver => $"127.0.0.1:{Port}";

    /// <summary>Adds a TXT record (beside any other at that name) and restarts the server with it.</summary>
    public void Publish(string name, string value)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue(name, out var values))
            {
                _records[name] = values = [];
            }

            values.Add(value);
            Restart();
        }
    }

    /// <summary>Removes every TXT record at <paramref name="name"/> and restarts the server without them.</summary>
    public void Withdraw(string name)
    {
        lock (_gate)
        {
            _records.Remove(name);
            Restart();
        }
    }

    /// <summary>
    /// Makes <paramref name="name"/> fail as a domain whose own name servers do not answer: queries for it are
    /// forwarded to a closed port, and the server answers them with a failure instead of a record.
    /// </summary>
    public void Break(string name)
    {
        lock (_gate)
        {
            // A record served locally would be answered before forwarding: the name must have none.
            _records.Remove(name);
            _broken.Add(name);
            Restart();
        }
    }

    /// <summary>Stops the server: nothing answers on its port until <see cref="Start"/> (a resolver outage).</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        _process = null;
    }

    public void Start()
    {
        var config = Path.Combine(_directory, "dnsmasq.conf");
        var lines = new List<string> { "local=/#/", $"txt-record={ReadyName},\"ready\"" };
        lines.AddRange(_records.SelectMany(r => r.Value.Select(v => $"txt-record={r.Key},\"{v}\"")));
        lines.AddRange(_broken.Select(name => $"server=/{name}/127.0.0.1#1"));
        File.WriteAllLines(config, lines);
        var log = Path.Combine(_directory, "dnsmasq.log");
        var process = Process.Start(new ProcessStartInfo(Program,
        [
            "--no-daemon", $"--port={Port}", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
            $"--conf-file={config}", "--pid-file=", $"--log-facility={log}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        WaitUntilAnswering(log);
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    private void Restart()
    {
        Stop();
        Start();
    }

    private void WaitUntilAnswering(string log)
    {
        var client = new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, Port)) { UseCache = false, Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && _process is { HasExited: false })
        {
            try
            {
                if (client.Query(ReadyName, QueryType.TXT).Answers.Count > 0)
                {
                    return;
                }
            }
            catch (DnsResponseException)
            {
                // Not listening yet.
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"dnsmasq did not answer on 127.0.0.1:{Port}: {(File.Exists(log) ? File.ReadAllText(log) : "no log")}");
    }
}
