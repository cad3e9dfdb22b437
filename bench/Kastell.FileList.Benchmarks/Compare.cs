using System.Diagnostics;
using System.Globalization;

namespace Kastell.FileList.Benchmarks;

/// <summary>
/// <c>compare --variant NAME=WORKER.dll [--variant …] [--providers sqlite,postgres] [--postgres CONNECTION]
/// [--rounds N] [--per-round N] [--warmup N] [--files N] [--members N] [--teams N] [--controls N] [--title TEXT] [--out FILE]</c>:
/// starts one <see cref="Worker"/> per build (variant) and provider, all seeded alike, then alternates them round by
/// round (the order flips every round), so that the machine's load, which moves a lot on a shared machine, falls on
/// every build alike and the ratios between them stay meaningful. <c>{variant}</c> in the PostgreSQL connection string
/// is replaced by the variant's name (a database and role of its own). Prints the table (and writes it to
/// <c>--out</c>); exits 1 when the last variant misses a goal.
/// </summary>
internal static class Compare
{
    private sealed record Sample(double ServerMs, double AuthorizationMs, int Questions, int Queries, int TupleQueries);

    public static async Task<int> RunAsync(Arguments arguments)
    {
        var variants = arguments.All("variant").Select(v => v.Split('=', 2)).Select(v => (Name: v[0], Dll: v[1])).ToList();
        var providers = arguments.Text("providers", "sqlite").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var rounds = arguments.Number("rounds", 10);
        var perRound = arguments.Number("per-round", 20);
        var load = new List<string> { LoadAverage() };
        var lines = new List<string>
        {
            FormattableString.Invariant($"Kastell file list benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}{(arguments.TextOrNull("title") is { } t ? ", " + t : "")}"),
            FormattableString.Invariant($"{arguments.Number("files", 1_000)} files, {arguments.Number("members", 200)} members, {arguments.Number("teams", 20)} teams, {arguments.Number("controls", 0)} controls; builds {string.Join(", ", variants.Select(v => v.Name))} alternated over {rounds} rounds of {perRound} × (page + API list) per person; times from the server's own instruments (in process, no network)"),
            "",
            "| provider | request | signed in as | build | server p50 (ms) | server p95 (ms) | authorization p50 (ms) | authorization p95 (ms) | authorization share | questions / request | SQL queries (tuple reads) / request |",
            "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
        };
        var summary = new List<string>();
        var missed = false;
        foreach (var provider in providers)
        {
            var workers = new List<(string Name, Process Process)>();
            string[] people = [];
            try
            {
                foreach (var (name, dll) in variants)
                {
                    var process = Start(dll, provider, name, arguments);
                    workers.Add((name, process));
                    var ready = await ReadUntilAsync(process, "ready", _ => { });
                    people = ready.Split('\t')[1..^1];
                    Log($"{provider} {name}: ready, {ready.Split('\t')[^1]} tuples");
                }

                var samples = new Dictionary<(string Variant, string Request, int Person), List<Sample>>();
                for (var round = 0; round < rounds; round++)
                {
                    var order = round % 2 == 0 ? workers : Enumerable.Reverse(workers).ToList();
                    foreach (var (name, process) in order)
                    {
                        await process.StandardInput.WriteLineAsync(FormattableString.Invariant($"measure {perRound}"));
                        await process.StandardInput.FlushAsync();
                        await ReadUntilAsync(process, "done", line =>
                        {
                            var f = line.Split('\t');
                            var key = (name, f[1], int.Parse(f[2], CultureInfo.InvariantCulture));
                            if (!samples.TryGetValue(key, out var list))
                            {
                                samples[key] = list = [];
                            }

                            list.Add(new(double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture),
                                int.Parse(f[6], CultureInfo.InvariantCulture), int.Parse(f[7], CultureInfo.InvariantCulture)));
                        });
                    }

                    Log(FormattableString.Invariant($"{provider}: round {round + 1} of {rounds}, load average {LoadAverage()}"));
                }

                load.Add(LoadAverage());
                foreach (var request in samples.Keys.Select(k => k.Request).Distinct().ToList())
                {
                    for (var person = 0; person < people.Length; person++)
                    {
                        (double P95, double Share)? first = null;
                        foreach (var (name, _) in variants)
                        {
                            var taken = samples[(name, request, person)];
                            var server = taken.Select(s => s.ServerMs).Order().ToList();
                            var authorization = taken.Select(s => s.AuthorizationMs).Order().ToList();
                            var share = taken.Sum(s => s.AuthorizationMs) / taken.Sum(s => s.ServerMs);
                            var p95 = Percentile(server, 0.95);
                            lines.Add(FormattableString.Invariant(
                                $"| {provider} | {Label(request)}{(request == "page" ? "" : " (100)")} | {people[person]} | {name} | {Percentile(server, 0.5):F2} | {p95:F2} | {Percentile(authorization, 0.5):F3} | {Percentile(authorization, 0.95):F3} | {share:P1} | {taken.Average(s => s.Questions):F1} | {taken.Average(s => s.Queries):F1} ({taken.Average(s => s.TupleQueries):F1}) |"));
                            if (first is { } before)
                            {
                                summary.Add(FormattableString.Invariant(
                                    $"| {provider} | {Label(request)} | {people[person]} | {p95 / before.P95:F2} | {share / before.Share:F2} |"));
                            }

                            first ??= (p95, share);
                            // The goals are the file list's (issue 10); the controls lists are measured for issue 12's comparison.
                            if (name == variants[^1].Name && request is "page" or "api")
                            {
                                missed |= share > 0.10 || (provider == "sqlite" && p95 > 20);
                            }
                        }
                    }
                }
            }
            finally
            {
                foreach (var (_, process) in workers)
                {
                    try
                    {
                        await process.StandardInput.WriteLineAsync("quit");
                        await process.StandardInput.FlushAsync();
                        if (!process.WaitForExit(30_000))
                        {
                            process.Kill(entireProcessTree: true);
                        }
                    }
                    catch (IOException)
                    {
                        // the worker has already gone (its error is on standard error)
                    }

                    process.Dispose();
                }
            }
        }

        lines.Add("");
        if (summary.Count > 0)
        {
            lines.Add(FormattableString.Invariant($"Ratios {variants[^1].Name} ÷ {variants[0].Name} (below 1: {variants[^1].Name} is faster / spends a smaller share in authorization):"));
            lines.Add("");
            lines.Add("| provider | request | signed in as | server p95 ratio | authorization share ratio |");
            lines.Add("|---|---|---|---:|---:|");
            lines.AddRange(summary);
            lines.Add("");
        }

        lines.Add($"Load average (1, 5, 15 min) at the start and after each provider: {string.Join("; ", load)}.");
        lines.Add("Goals: authorization ≤ 10 % of the request's server time; server p95 ≤ 20 ms on SQLite" + (missed ? $" — {variants[^1].Name} misses at least one." : $" — {variants[^1].Name} meets both."));
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        if (arguments.TextOrNull("out") is { } output)
        {
            await File.WriteAllLinesAsync(output, lines);
        }

        return missed ? 1 : 0;
    }

    private static Process Start(string dll, string provider, string variant, Arguments arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "worker", "--provider", provider == "postgres" ? "Postgres" : "Sqlite" })
        {
            start.ArgumentList.Add(argument);
        }

        if (provider == "postgres")
        {
            start.ArgumentList.Add("--connection");
            start.ArgumentList.Add((arguments.TextOrNull("postgres") ?? throw new InvalidOperationException("--postgres CONNECTION is needed for the postgres provider."))
                .Replace("{variant}", variant, StringComparison.Ordinal));
        }

        foreach (var name in new[] { "files", "members", "teams", "controls", "warmup" })
        {
            if (arguments.TextOrNull(name) is { } value)
            {
                start.ArgumentList.Add("--" + name);
                start.ArgumentList.Add(value);
            }
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
    }

    private static async Task<string> ReadUntilAsync(Process process, string marker, Action<string> onSample)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == marker || line.StartsWith(marker + "\t", StringComparison.Ordinal))
            {
                return line;
            }

            if (line.StartsWith("sample\t", StringComparison.Ordinal))
            {
                onSample(line);
            }
        }

        throw new InvalidOperationException($"The worker ended before '{marker}' (exit code {(process.WaitForExit(5_000) ? process.ExitCode : -1)}); its error is above.");
    }

    private static string Label(string request) => request switch
    {
        "page" => "files page",
        "api" => "API file list",
        "controls" => "API controls list",
        "controls-owner" => "API controls list, owner filter",
        _ => request,
    };

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";

    /// <summary>Nearest rank.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}
