using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// One SoftHSM2 token per test process, in a temporary directory. SoftHSM reads SOFTHSM2_CONF when the module is
/// first initialized, and a module is initialized once per process, so every PKCS#11 test shares this token and
/// keeps its keys apart by label.
/// </summary>
public static class SoftHsm
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string TokenLabel = "kastell-tests";
    public const string Pin = "4711-test-pin";

    private static readonly Lazy<string> Directory_ = new(CreateToken, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Settings for a host whose KEKs live on the test token under a label of its own.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(string keyLabel)
    {
        _ = Directory_.Value;
        return
        [
            new("Kastell:Keys:Provider", "Pkcs11"),
            new("Kastell:Keys:Pkcs11:LibraryPath", Module),
            new("Kastell:Keys:Pkcs11:TokenLabel", TokenLabel),
            new("Kastell:Keys:Pkcs11:Pin", Pin),
            new("Kastell:Keys:Pkcs11:KeyLabel", keyLabel),
        ];
    }

    public static Kastell.Server.Platform.Encryption.Pkcs11Options Options(string keyLabel)
    {
        _ = Directory_.Value;
        return new() { LibraryPath = Module, TokenLabel = TokenLabel, Pin = Pin, KeyLabel = keyLabel };
    }

    public static string UniqueKeyLabel() => "kek-" + Guid.NewGuid().ToString("N")[..12];

    private static string CreateToken()
    {
        if (!File.Exists(Module))
        {
            throw new InvalidOperationException($"SoftHSM2 is not installed ({Module} missing): apt-get install softhsm2, or run scripts/test.sh.");
        }

        var directory = Directory.CreateTempSubdirectory("kastell-softhsm-").FullName;
        var tokens = Directory.CreateDirectory(Path.Combine(directory, "tokens")).FullName;
        var config = Path.Combine(directory, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        // .NET keeps its own copy of the environment; the native module reads the process's real one.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (SetNativeEnvironment("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed.");
        }

        var init = Process.Start(new ProcessStartInfo("softhsm2-util",
            ["--init-token", "--free", "--label", TokenLabel, "--so-pin", "so-" + Pin, "--pin", Pin])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SOFTHSM2_CONF"] = config },
        })!;
        var output = init.StandardOutput.ReadToEnd() + init.StandardError.ReadToEnd();
        init.WaitForExit();
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed: {output}");
        }

        return directory;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetNativeEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}

/// <summary>SQLite, KEKs on the SoftHSM2 token.</summary>
public sealed class SqliteHsmHost(Infrastructure.SmtpSink mail) : SqliteHost(mail)
{
    private readonly IEnumerable<KeyValuePair<string, string?>> _keys = SoftHsm.Settings(SoftHsm.UniqueKeyLabel());

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => _keys;
}

/// <summary>PostgreSQL, KEKs on the SoftHSM2 token.</summary>
public sealed class PostgresHsmHost(Infrastructure.PostgresCluster cluster, Infrastructure.SmtpSink mail) : PostgresHost(cluster, mail)
{
    private readonly IEnumerable<KeyValuePair<string, string?>> _keys = SoftHsm.Settings(SoftHsm.UniqueKeyLabel());

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => _keys;
}

/// <summary>
/// A second Kastell instance on another host's database and KEK, with a data directory of its own: whatever it
/// shares with the first instance comes through the database (and the KEK, copied as an operator would).
/// </summary>
public sealed class SecondInstance : KastellHost
{
    private readonly KastellHost _first;

    public SecondInstance(KastellHost first)
    {
        _first = first;
        MailSink = first.Mail;
        _ = first.Services; // the first instance creates the KEK on start
        var keys = Directory.CreateDirectory(Path.Combine(DataDirectory, "keys"));
        var firstKeys = Path.Combine(first.DataDirectory, "keys");
        foreach (var kek in Directory.Exists(firstKeys) ? Directory.GetFiles(firstKeys, "kek-v*.key") : [])
        {
            var copy = Path.Combine(keys.FullName, Path.GetFileName(kek));
            File.Copy(kek, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    public override string Provider => _first.Provider;

    protected override string? ConnectionString => _first.DatabaseConnectionString;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => _first.Settings;
}
