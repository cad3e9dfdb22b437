using Kastell.Server.Platform.Audit;
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

    /// <summary>Options of verbs that take a value (removed with it).</summary>
    private static readonly string[] VerbOptions = ["--organization"];

    /// <summary>The arguments for configuration: a verb's own flags would otherwise swallow the next setting as their value.</summary>
    public static string[] ConfigurationArguments(string[] args)
    {
        if (!IsVerb(args))
        {
            return args;
        }

        var kept = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (VerbOptions.Contains(args[i], StringComparer.Ordinal))
            {
                i++;
            }
            else if (!VerbFlags.Contains(args[i], StringComparer.Ordinal))
            {
                kept.Add(args[i]);
            }
        }

        return [.. kept];
    }

    /// <summary>The value after <paramref name="option"/>, if any.</summary>
    private static string? OptionValue(string[] args, string option) =>
        Array.IndexOf(args, option) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var verb = args[0];
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
            case "rotate-keys" when OptionValue(args, "--organization") is { } slug:
                return await RotateDataKeyAsync(services, slug, output);
            case "rotate-keys":
                await Console.Error.WriteLineAsync($"rotate-keys needs --kek or --organization SLUG.\n{Usage}");
                return 2;
            case "delete-organization" when OptionValue(args, "--organization") is { } slug:
                return await DeleteOrganizationAsync(services, slug, output);
            case "delete-organization":
                await Console.Error.WriteLineAsync($"delete-organization needs --organization SLUG.\n{Usage}");
                return 2;
            case "key-status":
                return await KeyStatusAsync(services, output);
            case "verify-audit":
                return await VerifyAuditAsync(services, output);
            case "audit-checkpoint":
                return await CheckpointAuditAsync(services, output);
            case "audit-retention":
                return await Features.AuditTrail.AuditRetentionVerb.RunAsync(services, output);
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

    /// <summary>
    /// Rotates one organization's data key: the new key is in use as soon as it is stored; this process then
    /// re-encrypts the existing values (running servers keep serving) and prints the progress.
    /// </summary>
    public static async Task<int> RotateDataKeyAsync(IServiceProvider services, string slug, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (await OrganizationIdAsync(services, slug, cancellationToken) is not { } organizationId)
        {
            await Console.Error.WriteLineAsync($"No organization '{slug}'.");
            return 2;
        }

        DataKeyRotationJob job;
        try
        {
            job = await services.GetRequiredService<DataKeyRotation>().RequestAsync(organizationId, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        await output.WriteLineAsync($"New data key for '{slug}' is in use; re-encrypting the existing values (rotation {job.Id}).");
        var progress = new SynchronousProgress(j => output.WriteLine($"'{slug}': {j}"));
        var done = await services.GetRequiredService<DataKeyReencryption>().RunAsync(job.Id, organizationId, progress, cancellationToken);
        return done.CompletedAt is null ? 1 : 0;
    }

    /// <summary>Deletes an organization and destroys its data keys (crypto-shredding).</summary>
    public static async Task<int> DeleteOrganizationAsync(IServiceProvider services, string slug, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (await OrganizationIdAsync(services, slug, cancellationToken) is not { } organizationId)
        {
            await Console.Error.WriteLineAsync($"No organization '{slug}'.");
            return 2;
        }

        var deleted = await services.GetRequiredService<Features.Organizations.OrganizationDeletion>()
            .DeleteAsync(organizationId, Audit.AuditActor.System("cli"), cancellationToken);
        await output.WriteLineAsync(deleted is null
            ? $"'{slug}' was already deleted."
            : $"'{slug}' deleted; {deleted.DataKeysDestroyed} data key(s) destroyed, so its remaining ciphertext can no longer be decrypted.");
        return 0;
    }

    private static async Task<Guid?> OrganizationIdAsync(IServiceProvider services, string slug, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        var id = await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleOrDefaultAsync(cancellationToken);
        return id == Guid.Empty ? null : id;
    }

    /// <summary>Every organization's data-key rotations that are running or failed, and the latest completed one.</summary>
    public static async Task<int> KeyStatusAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken = default)
    {
        List<(Guid Id, string Slug)> organizations;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
            organizations = [.. (await db.Organizations.AsNoTracking().OrderBy(o => o.Slug).Select(o => new { o.Id, o.Slug }).ToListAsync(cancellationToken)).Select(o => (o.Id, o.Slug))];
        }

        var rotation = services.GetRequiredService<DataKeyRotation>();
        var shown = 0;
        foreach (var (id, slug) in organizations)
        {
            var jobs = await rotation.JobsAsync(id, cancellationToken);
            foreach (var job in jobs.Where(j => j.CompletedAt is null).Concat(jobs.Where(j => j.CompletedAt is not null).Take(1)))
            {
                await output.WriteLineAsync($"{slug}: rotation {job.Id} requested {job.RequestedAt:u}, {job}");
                shown++;
            }
        }

        await output.WriteLineAsync($"{shown} data-key rotation(s).");
        return 0;
    }

    /// <summary>Reports on the calling thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<DataKeyRotationJob> report) : IProgress<DataKeyRotationJob>
    {
        public void Report(DataKeyRotationJob value) => report(value);
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
          rotate-keys --kek   create a new key-encryption key version and re-wrap every data key with it
          rotate-keys --organization SLUG   new data key for one organization; re-encrypt its values, then destroy the old key
          key-status     progress of data-key rotations
          delete-organization --organization SLUG   delete an organization and destroy its data keys (crypto-shredding)
          verify-audit   check every audit chain (hashes, sequence, signed checkpoints); exit 1 on any problem
          audit-checkpoint  sign the current end of every audit chain
          audit-retention   archive and remove audit events past each organization's retention period
          authz test FILE...  run OpenFGA conformance suites or store tests (*.fga.yaml) against the engine
          help           show this text
        """;
}
