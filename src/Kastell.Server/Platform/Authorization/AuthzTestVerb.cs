using System.CommandLine;
using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Platform.Authorization;

/// <summary><c>authz test FILE…</c>: runs OpenFGA store tests (<c>*.fga.yaml</c>) and conformance suites against the engine.</summary>
internal sealed class AuthzTestVerb : CliVerb
{
    private readonly Argument<string[]> _files = new("files") { Description = "Store test or conformance files (*.fga.yaml).", Arity = ArgumentArity.OneOrMore };

    public override string Name => "authz test";

    public override string Description => "Run OpenFGA conformance suites or store tests (*.fga.yaml) against the engine; exit 1 on any failure.";

    public override bool NeedsHost => false;

    public override void Define(Command command) => command.Arguments.Add(_files);

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var summary = await Kastell.Authorization.Testing.AuthorizationTestRunner.RunAsync(invocation.Value(_files)!, invocation.Output);
        return summary.Failed == 0 && summary.Passed > 0 ? 0 : 1;
    }
}
