using System.Diagnostics;
using System.Net;
using System.Text;
using Kastell.Server.Tests.Infrastructure;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// The built Kastell.Server as a child process on a free loopback port (its own self-signed certificate), as an
/// operator runs it: for what only a real process shows, such as surviving <c>kill -9</c>.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        BaseAddress = address;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="settings"/> (as <c>--Key=value</c>) and waits for <c>/health/ready</c>.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var address = new Uri($"https://127.0.0.1:{FreeLoopbackPort.Find()}");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kastell.Server.dll"));
        startInfo.ArgumentList.Add("--urls=" + address.ToString().TrimEnd('/'));
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        var process = new Process { StartInfo = startInfo };
        var server = new ServerProcess(process, address);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A browser on this server; it accepts the server's self-signed certificate (loopback only).</summary>
    public TestBrowser CreateBrowser() =>
        new(new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = new CookieContainer(),
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        })
        { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) });

    /// <summary>SIGKILL: no shutdown, no flushing, nothing the process could still write.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = CreateBrowser().Client;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Kastell.Server exited with code {_process.ExitCode} during start-up:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or slow on its first request.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Kastell.Server did not report /health/ready within {ReadyTimeout.TotalSeconds:0} s:\n{Output}");
    }
}
