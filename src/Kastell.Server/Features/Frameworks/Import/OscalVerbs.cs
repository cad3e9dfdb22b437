using System.CommandLine;
using System.Globalization;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Frameworks.Import;

/// <summary>The files an OSCAL verb reads: the document, and the catalogs its profile imports (<c>--catalog [NAME=]FILE</c>).</summary>
internal abstract class OscalFileVerb : CliVerb
{
    /// <summary>The largest file the verbs read, as the library's own document limit.</summary>
    public const long MaxFileBytes = 100L * 1024 * 1024;

    private readonly Argument<string> _file = new("file") { Description = "An OSCAL 1.1 JSON catalog or profile (or a mapping collection, for inspect)." };

    private readonly Option<string[]> _catalogs = new("--catalog")
    {
        Description = "A catalog (or profile) the profile imports; matched by file name or by the hash the profile states. NAME=FILE serves the import named NAME.",
        AllowMultipleArgumentsPerToken = false,
    };

    public override void Define(Command command)
    {
        command.Arguments.Add(_file);
        command.Options.Add(_catalogs);
    }

    /// <summary>Reads the files; a missing or oversized one is reported and null returned (a usage error).</summary>
    protected async Task<(OscalFile Main, IReadOnlyList<OscalFile> Companions)?> ReadFilesAsync(CliInvocation invocation)
    {
        var main = await ReadAsync(invocation, invocation.Value(_file)!, null);
        if (main is null)
        {
            return null;
        }

        var companions = new List<OscalFile>();
        foreach (var spec in invocation.Value(_catalogs) ?? [])
        {
            var separator = spec.IndexOf('=', StringComparison.Ordinal);
            var companion = separator > 0 ? await ReadAsync(invocation, spec[(separator + 1)..], spec[..separator]) : await ReadAsync(invocation, spec, null);
            if (companion is null)
            {
                return null;
            }

            companions.Add(companion);
        }

        return (main, companions);
    }

    private static async Task<OscalFile?> ReadAsync(CliInvocation invocation, string path, string? name)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            await invocation.Error.WriteLineAsync($"No file '{path}'.");
            return null;
        }

        if (info.Length > MaxFileBytes)
        {
            await invocation.Error.WriteLineAsync($"'{path}' is larger than {MaxFileBytes / (1024 * 1024)} MiB.");
            return null;
        }

        return new OscalFile(name ?? info.Name, await File.ReadAllBytesAsync(path, invocation.CancellationToken));
    }
}

/// <summary><c>oscal inspect FILE</c>: what the file is and what importing it would bring, without importing anything.</summary>
internal sealed class OscalInspectVerb : OscalFileVerb
{
    public override string Name => "oscal inspect";

    public override string Description => "Show an OSCAL file's kind, title, version and controls (a profile resolved); imports nothing.";

    public override bool NeedsHost => false;

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        if (await ReadFilesAsync(invocation) is not var (main, companions))
        {
            return 2;
        }

        var read = Kastell.Oscal.Reading.OscalReader.Read(main.Content);
        if (read.IsSuccess && read.Value.MappingCollection is { } mapping)
        {
            await invocation.Output.WriteLineAsync($"kind: mapping-collection\ntitle: {mapping.Metadata.Title}\nversion: {mapping.Metadata.Version}\nmaps: {Count(mapping.Mappings.Sum(m => m.Maps.Count))}");
            return 0;
        }

        var (framework, errors) = OscalFiles.Load(main, companions);
        if (framework is null)
        {
            await WriteProblemsAsync(invocation.Error, errors.Select(e => e.ToString()));
            return 1;
        }

        var (requirements, problem) = RequirementExtractor.Extract(framework.Catalog);
        if (problem is not null)
        {
            await WriteProblemsAsync(invocation.Error, [problem]);
            return 1;
        }

        var output = invocation.Output;
        await output.WriteLineAsync($"kind: {framework.Kind.ToString().ToLowerInvariant()}");
        await output.WriteLineAsync($"title: {framework.Title}");
        await output.WriteLineAsync($"version: {framework.Version}");
        await output.WriteLineAsync($"last-modified: {framework.LastModified}");
        await output.WriteLineAsync($"controls: {Count(requirements.Count)}");
        foreach (var warning in framework.Warnings)
        {
            await output.WriteLineAsync($"warning: {warning}");
        }

        foreach (var requirement in requirements)
        {
            await output.WriteLineAsync($"  {requirement.ControlId}\t{requirement.Title}");
        }

        return 0;
    }

    internal static async Task WriteProblemsAsync(TextWriter error, IEnumerable<string> problems)
    {
        await error.WriteLineAsync("Refused; nothing was imported:");
        foreach (var problem in problems)
        {
            await error.WriteLineAsync($"  {problem}");
        }
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>oscal import FILE --organization SLUG</c>: imports a catalog or profile (resolved) as a framework, or a new version of one.</summary>
internal sealed class OscalImportVerb : OscalFileVerb
{
    private readonly Option<string> _organization = new("--organization") { Description = "The organization's slug.", Required = true };

    public override string Name => "oscal import";

    public override string Description => "Import an OSCAL catalog or profile (resolved) into an organization's framework library.";

    public override void Define(Command command)
    {
        base.Define(command);
        command.Options.Add(_organization);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var slug = invocation.Value(_organization)!;
        if (await invocation.Services.OrganizationIdAsync(slug, invocation.CancellationToken) is not { } organizationId)
        {
            await invocation.Error.WriteLineAsync($"No organization '{slug}'.");
            return 2;
        }

        if (await ReadFilesAsync(invocation) is not var (main, companions))
        {
            return 2;
        }

        await using var scope = invocation.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.System("cli"));
        var command = scope.Get<ImportFrameworkCommand>();
        var outcome = await invocation.WithProgressAsync($"Importing {main.Name}", bar =>
            command.ExecuteAsync(main, companions, new Progress(bar), invocation.CancellationToken));
        if (outcome.Summary is not { } summary)
        {
            await OscalInspectVerb.WriteProblemsAsync(invocation.Error, outcome.Problems);
            return 1;
        }

        await invocation.Output.WriteLineAsync(summary.Sequence == 1
            ? $"Imported \"{summary.Title}\" version {summary.Version}: {summary.Requirements} requirements."
            : $"Imported \"{summary.Title}\" version {summary.Version} (import {summary.Sequence}): {summary.Requirements} requirements; {summary.Added} added, {summary.Changed} changed, {summary.Withdrawn} withdrawn.");
        return 0;
    }

    /// <summary>Moves the bar synchronously, on the saving thread (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(CliProgress bar) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => bar.Report(value.Done, value.Total);
    }
}
