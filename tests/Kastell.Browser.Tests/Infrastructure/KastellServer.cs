using System.Diagnostics;
using System.Text;

namespace Kastell.Browser.Tests.Infrastructure;

/// <summary>
/// The built Kastell.Server binary running as a child process on a free loopback port over HTTPS (self-signed
/// certificate made here), with its own SQLite data directory (created and migrated by the server at start-up,
/// deleted afterwards). Production environment, so the browser sees the same headers, cookies and error pages as a
/// deployment.
/// </summary>
public sealed class KastellServer : IAsyncLifetime
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly StringBuilder output = new();
    private Process? process;
    private string? dataDirectory;
    private SelfSignedCertificate? certificate;

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>
    /// The same server by name: WebAuthn needs a domain as relying-party id, never an IP address. The certificate
    /// names localhost too.
    /// </summary>
    public Uri LocalhostAddress => new UriBuilder(BaseAddress) { Host = "localhost" }.Uri;

    /// <summary>The certificate's public-key pin, for a browser that must treat it as valid (see PasskeyTests).</summary>
    public string CertificateSpkiSha256 => certificate?.SpkiSha256 ?? throw new InvalidOperationException("Not started.");

    /// <summary>Where the server writes the mails it sends (one .eml file each).</summary>
    public string MailOutbox => Path.Combine(dataDirectory ?? throw new InvalidOperationException("Not started."), "mail-outbox");

    /// <summary>The first link matching <paramref name="link"/> in a mail to <paramref name="email"/> in the outbox (waits for it).</summary>
    public async Task<string> MailLinkAsync(string email, System.Text.RegularExpressions.Regex link, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (Directory.Exists(MailOutbox))
            {
                foreach (var file in Directory.EnumerateFiles(MailOutbox, "*.eml"))
                {
                    using var message = await MimeKit.MimeMessage.LoadAsync(file, ct);
                    if (message.To.Mailboxes.Any(m => string.Equals(m.Address, email, StringComparison.OrdinalIgnoreCase))
                        && link.Match(message.TextBody ?? "") is { Success: true } match)
                    {
                        return new Uri(match.Value).PathAndQuery;
                    }
                }
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"No mail with such a link for {email} in {MailOutbox}.");
    }

    /// <summary>The server's console output so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async ValueTask InitializeAsync()
    {
        var serverAssembly = RepositoryPaths.ServerAssembly;
        for (var attempt = 1; ; attempt++)
        {
            dataDirectory = Directory.CreateTempSubdirectory("kastell-browser-").FullName;
            certificate = SelfSignedCertificate.CreateIn(dataDirectory);
            BaseAddress = new Uri($"https://127.0.0.1:{FreeLoopbackPort.Find()}");
            process = Start(serverAssembly, dataDirectory, certificate, BaseAddress);
            try
            {
                await WaitUntilReadyAsync();
                return;
            }
            catch (Exception) when (attempt < StartAttempts && process.HasExited)
            {
                // Most likely someone took the port between FindFreePort and bind: start over on another one.
                await StopAsync();
            }
            catch (Exception)
            {
                // No process or temp directory left behind when start-up fails for good.
                await StopAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        // Server-side errors behind a failed browser step (a 500 page) are only in this log.
        var logDirectory = Path.Combine(RepositoryPaths.Root, ".artifacts", "browser-tests");
        Directory.CreateDirectory(logDirectory);
        await File.WriteAllTextAsync(Path.Combine(logDirectory, "kastell-server.log"), Output);
    }

    private Process Start(string serverAssembly, string data, SelfSignedCertificate tls, Uri address)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            // The content root holds wwwroot (static assets are not copied to bin on build).
            WorkingDirectory = RepositoryPaths.ServerProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(serverAssembly);
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        startInfo.Environment["Kastell__DataDirectory"] = data;
        startInfo.Environment["Kestrel__Certificates__Default__Path"] = tls.PfxPath;
        startInfo.Environment["Kestrel__Certificates__Default__Password"] = tls.Password;
        // Several tests sign in and fail sign-ins on purpose within one minute.
        startInfo.Environment["Kastell__RateLimits__AuthenticationPerMinute"] = "1000";
        // No SMTP relay: the embedded (SQLite) mode writes mail to its outbox folder (MailOutbox), where a journey that
        // needs a link from a mail (an invitation) reads it. The Kastell.Server.Tests check mails against a real sink.
        startInfo.Environment["Kastell__Email__PublicBaseUrl"] = address.ToString().TrimEnd('/');

        lock (output)
        {
            output.Clear();
        }

        var started = new Process { StartInfo = startInfo };
        started.OutputDataReceived += (_, e) => Append(e.Data);
        started.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!started.Start())
        {
            throw new InvalidOperationException("Could not start `dotnet " + serverAssembly + "`.");
        }

        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return started;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var thumbprint = certificate!.Thumbprint;
        using var handler = new HttpClientHandler
        {
            // Trust this run's certificate only.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == thumbprint,
        };
        using var http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"Kastell.Server exited with code {process.ExitCode} during start-up:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow (first request on a busy machine).
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Kastell.Server did not report /health/ready within {ReadyTimeout.TotalSeconds:0} s:\n{Output}");
    }

    private async Task StopAsync()
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            process = null;
        }

        if (dataDirectory is not null && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
            dataDirectory = null;
            certificate = null;
        }
    }
}
