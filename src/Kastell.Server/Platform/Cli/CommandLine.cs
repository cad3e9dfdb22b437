using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Cli;

/// <summary>
/// CLI verbs of the Kastell binary (<c>Kastell.Server migrate</c>, ...). They run with the same configuration as
/// the server, so a verb can never act on another database than the one the server would use.
/// </summary>
internal static class CommandLine
{
    public static bool IsVerb(string[] args) => args.Length > 0 && !args[0].StartsWith('-');

    /// <summary>Verbs that need neither configuration nor a database run before the host is built.</summary>
    public static async Task<int?> TryRunStandaloneAsync(string[] args, TextWriter? output = null)
    {
        if (args is ["authz", "test", .. var files])
        {
            if (files.Length == 0)
            {
                await (output ?? Console.Error).WriteLineAsync("Usage: Kastell.Server authz test FILE.yaml [FILE.yaml ...]");
                return 2;
            }

            var summary = await Kastell.Authorization.Testing.AuthorizationTestRunner.RunAsync(files, output ?? Console.Out);
            return summary.Failed == 0 && summary.Passed > 0 ? 0 : 1;
        }

        return null;
    }

    /// <summary>Flags of verbs; removed before the rest of the arguments become configuration.</summary>
    private static readonly string[] VerbFlags = ["--kek"];

    /// <summary>The arguments for configuration: a verb's own flags would otherwise swallow the next setting as their value.</summary>
    public static string[] ConfigurationArguments(string[] args) =>
        IsVerb(args) ? [.. args.Where(a => !VerbFlags.Contains(a, StringComparer.Ordinal))] : args;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var verb = args[0];
        var rest = args[1..].Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        switch (verb)
        {
            case "migrate":
                await MigrateAsync(services);
                await output.WriteLineAsync("Database is up to date.");
                return 0;
            case "rotate-keys" when args.Contains("--kek", StringComparer.Ordinal):
                var rotation = await services.GetRequiredService<KekRotation>().RotateAsync();
                await output.WriteLineAsync(
                    $"Key-encryption key rotated from version {rotation.FromVersions} to {rotation.ToVersion}: {rotation.DataKeysRewrapped} data key(s) and {rotation.DataProtectionKeysRewrapped} data-protection key(s) re-wrapped. Keep version {rotation.FromVersions} until every instance runs with version {rotation.ToVersion}, then destroy it.");
                return 0;
            case "rotate-keys":
                await Console.Error.WriteLineAsync($"rotate-keys needs --kek (data-key rotation is not available yet).\n{Usage}");
                return 2;
            case "help":
                Console.WriteLine(Usage);
                return 0;
            default:
                _ = rest;
                await Console.Error.WriteLineAsync($"Unknown command '{verb}'.\n{Usage}");
                return 2;
        }
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging: readers never block the writer.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    private const string Usage = """
        Usage: Kastell.Server [command] [--Kastell:Key=value ...]
          (no command)   run the server
          migrate        apply database migrations and exit
          rotate-keys --kek   create a new key-encryption key version and re-wrap every data key with it
          authz test FILE...  run OpenFGA conformance suites or store tests (*.fga.yaml) against the engine
          help           show this text
        """;
}
