using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Platform.Audit;

/// <summary><c>verify-audit</c>: checks every audit chain; prints each problem with chain, sequence and kind; exit 1 on any.</summary>
internal sealed class VerifyAuditVerb : CliVerb
{
    public override string Name => "verify-audit";

    public override string Description => "Check every audit chain (hashes, sequence, signed checkpoints); exit 1 on any problem.";

    public override Task<int> RunAsync(CliInvocation invocation) => RunAsync(invocation.Services, invocation.Output, invocation.CancellationToken, invocation);

    /// <summary>The verb's work, also run by tests against a host.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken, CliInvocation? invocation = null)
    {
        var verifier = services.GetRequiredService<AuditVerifier>();
        var result = invocation is null
            ? await verifier.VerifyAsync(cancellationToken)
            : await invocation.WithProgressAsync("Verifying audit chains", bar => verifier.VerifyAsync(cancellationToken, bar.Report));
        foreach (var problem in result.Problems)
        {
            await output.WriteLineAsync(problem.ToString());
        }

        await output.WriteLineAsync(
            $"{result.Chains} chain(s), {result.Events} event(s), {result.Checkpoints} checkpoint(s): " +
            (result.IsIntact ? "intact" : $"{result.Problems.Count} problem(s)"));
        return result.IsIntact ? 0 : 1;
    }
}

/// <summary><c>audit-checkpoint</c>: signs the current end of every chain, so that truncation before this point becomes detectable.</summary>
internal sealed class AuditCheckpointVerb : CliVerb
{
    public override string Name => "audit-checkpoint";

    public override string Description => "Sign the current end of every audit chain.";

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var services = invocation.Services;
        var chains = await services.GetRequiredService<AuditVerifier>().ChainsAsync(invocation.CancellationToken);
        var scopes = services.GetRequiredService<Tenancy.TenantScopes>();
        var signed = 0;
        foreach (var chain in chains)
        {
            await using var scope = scopes.EnterChain(chain, AuditActor.System("cli"));
            signed += await scope.Get<AuditCheckpoints>().CreateAsync(chain, invocation.CancellationToken) is null ? 0 : 1;
        }

        await invocation.Output.WriteLineAsync($"{signed} checkpoint(s) signed.");
        return 0;
    }
}
