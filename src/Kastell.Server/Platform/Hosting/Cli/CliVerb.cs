using System.CommandLine;
using Spectre.Console;

namespace Kastell.Server.Platform.Hosting.Cli;

/// <summary>
/// A verb of the Kastell binary (<c>Kastell.Server migrate</c>, …). Verbs run with the same configuration and services
/// as the server, so a verb can never act on another database than the one the server would use. Exit codes: 0 done,
/// 1 the work found a problem or failed, 2 the command line was wrong (unknown verb, missing option, unknown name).
/// </summary>
public abstract class CliVerb
{
    /// <summary>The verb as typed, e.g. <c>rotate-keys</c>; a verb with a sub-verb names both (<c>authz test</c>).</summary>
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>False for verbs that need neither configuration nor a database: they run before the host is built.</summary>
    public virtual bool NeedsHost => true;

    /// <summary>Adds the verb's options and arguments, and validators that make a wrong combination a usage error.</summary>
    public virtual void Define(Command command)
    {
    }

    public abstract Task<int> RunAsync(CliInvocation invocation);
}

/// <summary>One run of a verb: its parsed command line, the host's services, where to write, and how to stop.</summary>
public sealed class CliInvocation(ParseResult parse, IServiceProvider? services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
{
    public ParseResult Parse => parse;

    /// <summary>The host's services; only verbs with <see cref="CliVerb.NeedsHost"/> have them.</summary>
    public IServiceProvider Services => services ?? throw new InvalidOperationException("This verb runs without a host.");

    public TextWriter Output => output;

    public TextWriter Error => error;

    public CancellationToken CancellationToken => cancellationToken;

    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => parse.GetValue(argument);

    /// <summary>
    /// Runs long work with a progress bar on a terminal; elsewhere (a log file, a test) the work reports plain lines
    /// through <paramref name="work"/>'s <see cref="CliProgress"/> only when it finishes a step.
    /// </summary>
    public async Task<T> WithProgressAsync<T>(string description, Func<CliProgress, Task<T>> work)
    {
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected)
        {
            return await work(new CliProgress(null));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context => await work(new CliProgress(context.AddTask(Markup.Escape(description)))));
    }
}

/// <summary>Progress of one long step: a bar on a terminal, nothing otherwise.</summary>
public sealed class CliProgress(ProgressTask? task)
{
    /// <summary>Whether a bar is shown; where none is, the work writes its own progress lines.</summary>
    public bool IsVisible => task is not null;

    /// <summary>Sets how far the work is: <paramref name="done"/> of <paramref name="total"/>.</summary>
    public void Report(int done, int total) => Report((long)done, total);

    /// <summary>Sets how far the work is: <paramref name="done"/> of <paramref name="total"/>.</summary>
    public void Report(long done, long total)
    {
        if (task is null)
        {
            return;
        }

        task.MaxValue = Math.Max(1, total);
        task.Value = Math.Min(done, task.MaxValue);
    }
}
