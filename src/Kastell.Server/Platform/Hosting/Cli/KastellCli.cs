using System.CommandLine;

namespace Kastell.Server.Platform.Hosting.Cli;

/// <summary>
/// The Kastell binary's command line, parsed with System.CommandLine from the verbs of the platform and of every
/// feature module. No verb (or only settings such as <c>--Kastell:Database:Provider=Postgres</c>) runs the server;
/// whatever a verb does not declare is left to the configuration, as for the server.
/// </summary>
public sealed class KastellCli
{
    private readonly RootCommand _root = new("Kastell: the ISMS platform. Without a command it runs the server; settings are passed as --Kastell:Key=value.");
    private readonly Dictionary<Command, CliVerb> _verbs = [];

    public KastellCli(IEnumerable<CliVerb> verbs)
    {
        foreach (var verb in verbs)
        {
            var command = new Command(verb.Name.Split(' ')[^1], verb.Description) { TreatUnmatchedTokensAsErrors = false };
            verb.Define(command);
            ParentOf(verb.Name).Subcommands.Add(command);
            _verbs.Add(command, verb);
        }
    }

    /// <summary>The platform's verbs and every feature's.</summary>
    public static KastellCli For(IEnumerable<FeatureModule> features) =>
        new([.. PlatformVerbs.Create(), .. features.SelectMany(f => f.CreateVerbs())]);

    /// <summary>Whether the command line names a verb (its first word is not a setting).</summary>
    public static bool IsVerb(string[] args) => args.Length > 0 && !args[0].StartsWith('-');

    /// <summary>The parsed command line, or null when it runs the server.</summary>
    public CliRequest? Parse(string[] args)
    {
        if (!IsVerb(args))
        {
            return null;
        }

        var parse = _root.Parse(args);
        _verbs.TryGetValue(parse.CommandResult.Command, out var verb);
        return new CliRequest(this, parse, verb);
    }

    /// <summary>Runs <paramref name="args"/> as a verb against an existing host's services (tests, and the host itself).</summary>
    public static Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        var cli = For(services.GetRequiredService<FeatureModules>());
        return cli.Parse(args) is { } request
            ? request.RunAsync(services, output, null, cancellationToken)
            : throw new ArgumentException("The command line names no verb.", nameof(args));
    }

    internal async Task<int> InvokeAsync(ParseResult parse, CliVerb? verb, IServiceProvider? services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync("Run 'Kastell.Server --help' for the list of commands.");
            return 2;
        }

        if (verb is not null)
        {
            parse.CommandResult.Command.SetAction((result, ct) => verb.RunAsync(new CliInvocation(result, services, output, error, ct)));
        }

        return await parse.InvokeAsync(configuration, cancellationToken);
    }

    private Command ParentOf(string name)
    {
        Command parent = _root;
        foreach (var word in name.Split(' ')[..^1])
        {
            var existing = parent.Subcommands.FirstOrDefault(c => c.Name == word);
            if (existing is null)
            {
                existing = new Command(word);
                parent.Subcommands.Add(existing);
            }

            parent = existing;
        }

        return parent;
    }

}

/// <summary>A parsed command line that names a verb.</summary>
public sealed class CliRequest(KastellCli cli, ParseResult parse, CliVerb? verb)
{
    /// <summary>False for verbs that run without configuration or a database, and for usage errors.</summary>
    public bool NeedsHost => verb is { NeedsHost: true } && parse.Errors.Count == 0;

    /// <summary>What the verb does not declare, passed on as configuration (<c>--Kastell:Key=value</c>).</summary>
    public string[] ConfigurationArguments => [.. parse.UnmatchedTokens];

    public Task<int> RunAsync(IServiceProvider? services, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default) =>
        cli.InvokeAsync(parse, verb, services, output ?? Console.Out, error ?? output ?? Console.Error, cancellationToken);
}
