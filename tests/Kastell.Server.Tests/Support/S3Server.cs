using System.Diagnostics;
using System.Net.Sockets;
using Kastell.Server.Tests.Infrastructure;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// One s3rver (an S3-protocol server in Node.js, pinned in tests/s3rver/package-lock.json) per test process, on a
/// free loopback port with its own temporary directory, started on first use and killed when the process exits.
/// Test hosts keep apart by bucket: every Space has its own.
/// </summary>
public static class S3Server
{
    /// <summary>s3rver's fixed credentials.</summary>
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private static readonly Lazy<string> Url = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ServiceUrl => Url.Value;

    public static IEnumerable<KeyValuePair<string, string?>> Settings(string bucketPrefix) =>
    [
        new("Kastell:Storage:Backend", "S3"),
        new("Kastell:Storage:S3:ServiceUrl", ServiceUrl),
        new("Kastell:Storage:S3:Region", "us-east-1"),
        new("Kastell:Storage:S3:AccessKey", AccessKey),
        new("Kastell:Storage:S3:SecretKey", SecretKey),
        new("Kastell:Storage:S3:ForcePathStyle", "true"),
        new("Kastell:Storage:S3:BucketPrefix", bucketPrefix),
    ];

    private static string Start()
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"s3rver is not installed ({script} missing): run `npm ci --prefix tests/s3rver` (scripts/test.sh does).");
        }

        var directory = Directory.CreateTempSubdirectory("kastell-s3rver-").FullName;
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort.Find();
            var process = Process.Start(new ProcessStartInfo("node", [script, "--directory", directory, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (WaitUntilListening(process, port))
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    process.Kill(entireProcessTree: true);
                    try
                    {
                        Directory.Delete(directory, recursive: true);
                    }
                    catch (IOException)
                    {
                        // The OS temp cleaner removes it.
                    }
                };
                return $"http://127.0.0.1:{port}";
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (attempt == 4)
            {
                throw new InvalidOperationException("s3rver did not start listening on a loopback port.");
            }
        }
    }

    private static bool WaitUntilListening(Process process, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        return false;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Kastell.slnx not found above the test binary.");
    }
}
