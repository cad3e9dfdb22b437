using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
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

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var verb = args[0];
        switch (verb)
        {
            case "migrate":
                await MigrateAsync(app.Services);
                Console.WriteLine("Database is up to date.");
                return 0;
            case "verify-audit":
                return await VerifyAuditAsync(app.Services, Console.Out);
            case "audit-checkpoint":
                return await CheckpointAuditAsync(app.Services, Console.Out);
            case "audit-retention":
                return await Features.AuditTrail.AuditRetentionVerb.RunAsync(app.Services, Console.Out);
            case "help":
                Console.WriteLine(Usage);
                return 0;
            default:
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

    /// <summary>Verifies every audit chain; prints each problem with chain, sequence and kind. Exit code 1 on any problem.</summary>
    public static async Task<int> VerifyAuditAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken = default)
    {
        var result = await services.GetRequiredService<AuditVerifier>().VerifyAsync(cancellationToken);
        foreach (var problem in result.Problems)
        {
            await output.WriteLineAsync(problem.ToString());
        }

        await output.WriteLineAsync(
            $"{result.Chains} chain(s), {result.Events} event(s), {result.Checkpoints} checkpoint(s): " +
            (result.IsIntact ? "intact" : $"{result.Problems.Count} problem(s)"));
        return result.IsIntact ? 0 : 1;
    }

    /// <summary>Signs the current end of every chain, so that truncation before this point becomes detectable.</summary>
    public static async Task<int> CheckpointAuditAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken = default)
    {
        var chains = await services.GetRequiredService<AuditVerifier>().ChainsAsync(cancellationToken);
        var signed = 0;
        foreach (var chain in chains)
        {
            await using var scope = services.CreateAsyncScope();
            if (chain is { } organization)
            {
                scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Tenancy.TenantContext>().Enter(organization);
            }

            signed += await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CreateAsync(chain, cancellationToken) is null ? 0 : 1;
        }

        await output.WriteLineAsync($"{signed} checkpoint(s) signed.");
        return 0;
    }

    private const string Usage = """
        Usage: Kastell.Server [command] [--Kastell:Key=value ...]
          (no command)   run the server
          migrate        apply database migrations and exit
          verify-audit   check every audit chain (hashes, sequence, signed checkpoints); exit 1 on any problem
          audit-checkpoint  sign the current end of every audit chain
          audit-retention   archive and remove audit events past each organization's retention period
          authz test FILE...  run OpenFGA conformance suites or store tests (*.fga.yaml) against the engine
          help           show this text
        """;
}
