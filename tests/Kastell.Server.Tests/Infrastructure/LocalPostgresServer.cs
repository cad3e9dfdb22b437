using System.Security.Cryptography;
using Npgsql;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster in a temporary directory, listening on a loopback port with a random superuser
/// password. Settings trade durability for speed because the data is thrown away.
/// </summary>
internal sealed class LocalPostgresServer
{
    // initdb refuses to run as root; Debian's postgresql package creates this system user.
    private const string ServiceUser = "postgres";
    private const string SuperUser = "postgres";
    private const int StartAttempts = 3;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly PostgresBinaries binaries;
    private readonly string rootDirectory;
    private readonly string? runAsUser;
    private readonly ClusterWatchdog watchdog;
    private int stopped;

    private LocalPostgresServer(PostgresBinaries binaries, string rootDirectory, string? runAsUser, string password)
    {
        this.binaries = binaries;
        this.rootDirectory = rootDirectory;
        this.runAsUser = runAsUser;
        Password = password;
        watchdog = ClusterWatchdog.Start(binaries.PgCtl, DataDirectory, rootDirectory, runAsUser);
    }

    public string Password { get; }

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(rootDirectory, "data");

    private string LogFile => Path.Combine(rootDirectory, "postgres.log");

    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = Password,
        Database = "postgres",
        IncludeErrorDetail = true,
    }.ConnectionString;

    public static async Task<LocalPostgresServer> StartAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(
                $"The throwaway PostgreSQL cluster needs Linux; set {PostgresCluster.ExternalConnectionStringVariable} instead.");
        }
        var binaries = PostgresBinaries.FindHighest();
        var runAsUser = Environment.IsPrivilegedProcess ? ServiceUser : null;
        // As root the cluster belongs to the postgres user, which must be able to reach the directory: a TMPDIR
        // under /root would not be reachable, /tmp always is.
        var tempRoot = runAsUser is null ? Path.GetTempPath() : "/tmp";
        var rootDirectory = Path.Combine(tempRoot, $"kastell-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(rootDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var server = new LocalPostgresServer(binaries, rootDirectory, runAsUser, RandomPassword());
        try
        {
            await server.InitializeClusterAsync();
            await server.StartOnFreePortAsync();
            return server;
        }
        catch (Exception startFailure)
        {
            try
            {
                server.Stop();
            }
            catch (Exception cleanupFailure)
            {
                throw new AggregateException(startFailure, cleanupFailure);
            }
            throw;
        }
    }

    /// <summary>Stops the server at once and deletes its files; safe to call more than once.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }
        // One clean-up path for every ending, normal or not: the watchdog's. Synchronous because this also runs
        // from the process-exit handler, where nothing can be awaited.
        watchdog.CleanUpNow();
        if (Directory.Exists(rootDirectory))
        {
            throw new IOException($"The throwaway PostgreSQL cluster in {rootDirectory} could not be removed.");
        }
    }

    private async Task InitializeClusterAsync()
    {
        var passwordFile = Path.Combine(rootDirectory, "superuser-password");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (runAsUser is not null)
        {
            await RunCheckedAsync("chown", ["-R", $"{runAsUser}:{runAsUser}", rootDirectory], asServiceUser: false);
        }

        await RunCheckedAsync(
            binaries.InitDb,
            ["-D", DataDirectory, "--username", SuperUser, "--pwfile", passwordFile, "--auth", "scram-sha-256",
                "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync", "--no-instructions"],
            asServiceUser: true);
        File.Delete(passwordFile);

        // Only password logins over IPv4 loopback; no Unix socket, so nothing collides with a system cluster.
        await File.WriteAllTextAsync(
            Path.Combine(DataDirectory, "pg_hba.conf"),
            "host all all 127.0.0.1/32 scram-sha-256\n");
        await File.AppendAllTextAsync(
            Path.Combine(DataDirectory, "postgresql.conf"),
            """

            # Added by the Kastell test fixture: throwaway data, so durability is traded for speed.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            wal_level = minimal
            max_wal_senders = 0
            max_connections = 300
            log_min_messages = warning

            """);
    }

    private async Task StartOnFreePortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort.Find();
            var result = await RunAsync(
                binaries.PgCtl,
                ["-D", DataDirectory, "-l", LogFile, "-o", $"-p {Port}", "-w", "-t", "60", "start"],
                asServiceUser: true);
            if (result.ExitCode == 0)
            {
                return;
            }
            // The port may have been taken between finding it and binding it; try another before giving up.
            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL {binaries.MajorVersion} did not start (pg_ctl exit {result.ExitCode}):\n"
                    + result.Output + "\nServer log:\n" + ReadLogTail());
            }
        }
    }

    private string ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return string.Join('\n', lines.TakeLast(40));
        }
        catch (IOException exception)
        {
            return $"(log not readable: {exception.Message})";
        }
    }

    private async Task RunCheckedAsync(string fileName, string[] arguments, bool asServiceUser)
    {
        var result = await RunAsync(fileName, arguments, asServiceUser);
        if (result.ExitCode != 0)
        {
            var who = asServiceUser && runAsUser is not null ? $" as user '{runAsUser}'" : "";
            throw new InvalidOperationException(
                $"{fileName}{who} failed with exit code {result.ExitCode}:\n{result.Output}");
        }
    }

    private Task<ProcessRunner.Result> RunAsync(string fileName, string[] arguments, bool asServiceUser) =>
        ProcessRunner.RunAsync(
            fileName, arguments, rootDirectory, asServiceUser ? runAsUser : null, CommandTimeout);

    private static string RandomPassword() =>
        Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}
