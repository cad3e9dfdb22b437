using System.Diagnostics;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// A small shell process that stops the throwaway cluster and deletes its directory as soon as its standard input
/// closes. The test process holds the other end of that pipe, and the kernel closes it however the process ends,
/// even when a timeout kills it, so no cluster is left running. pg_ctl detaches the server into its own session,
/// which is why nothing else would stop it.
/// </summary>
internal sealed class ClusterWatchdog
{
    private const string Script = """
        cat >/dev/null
        if [ -f "$2/postmaster.pid" ]; then
            if [ -n "$4" ]; then
                runuser -u "$4" -- "$1" -D "$2" -m immediate -w -t 30 stop
            else
                "$1" -D "$2" -m immediate -w -t 30 stop
            fi
        fi >/dev/null 2>&1
        rm -rf "$3"
        """;

    // Deleting a cluster that a whole run filled takes a while on a loaded two-core machine (over a minute was seen at
    // load average 45): a timeout here would fail every test of the run in the assembly fixture's disposal.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromMinutes(5);

    // Kept in a field so the pipe's write end is never closed early by the garbage collector.
    private readonly Process process;

    private ClusterWatchdog(Process process) => this.process = process;

    public static ClusterWatchdog Start(string pgCtl, string dataDirectory, string rootDirectory, string? runAsUser)
    {
        var startInfo = new ProcessStartInfo
        {
            // Its own session, so a signal to the test run's process group does not take the watchdog with it.
            FileName = "setsid",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in new[] { "sh", "-c", Script, "kastell-pg-watchdog", pgCtl, dataDirectory, rootDirectory, runAsUser ?? "" })
        {
            startInfo.ArgumentList.Add(argument);
        }
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the cluster watchdog.");
        return new ClusterWatchdog(process);
    }

    /// <summary>Lets the watchdog stop the cluster and delete its files now, and waits until it has.</summary>
    public void CleanUpNow()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(CleanupTimeout))
        {
            // The cluster is stopped by then (pg_ctl waits at most 30 s); the watchdog runs in its own session and
            // finishes deleting the files after this process has ended. Said, not thrown: the tests' results stand.
            Console.Error.WriteLine($"The cluster watchdog did not finish deleting its files within {CleanupTimeout}; it goes on in the background.");
            return;
        }
        process.Dispose();
    }
}
