namespace Kastell.Server.Platform.Hosting.Cli;

/// <summary>The verbs of the platform itself; features add theirs through their module.</summary>
internal static class PlatformVerbs
{
    public static IEnumerable<CliVerb> Create() =>
    [
        new Data.MigrateVerb(),
        new Encryption.RotateKeysVerb(),
        new Encryption.KeyStatusVerb(),
        new Audit.VerifyAuditVerb(),
        new Audit.AuditCheckpointVerb(),
        new Email.MailStatusVerb(),
        new Email.MailRetryVerb(),
        new Authorization.AuthzTestVerb(),
        new Authorization.AuthzDriftVerb(),
        new HelpVerb(),
    ];
}

/// <summary><c>help</c>: the list of commands (as <c>--help</c>).</summary>
internal sealed class HelpVerb : CliVerb
{
    public override string Name => "help";

    public override string Description => "Show the commands and their options.";

    public override bool NeedsHost => false;

    public override Task<int> RunAsync(CliInvocation invocation) =>
        invocation.Parse.RootCommandResult.Command.Parse(["--help"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = invocation.Output }, invocation.CancellationToken);
}
