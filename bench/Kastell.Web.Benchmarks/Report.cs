using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kastell.Web.Benchmarks;

/// <summary>One wrk run, as bench/wrk/report.lua prints it.</summary>
internal sealed record WrkRun(long Requests, double Seconds, double Rps, double P50, double P99, long Errors);

/// <summary>
/// Turns the runs of bench/web.sh into the table of bench/README.md. Every Kastell run is paired with the bare
/// server's run of the same round (they ran back to back), and a row's ratio is the median of those paired ratios, so
/// a round in which the shared machine was busier moves both sides of its ratio.
/// </summary>
internal static class Report
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

    /// <summary>
    /// The rows in order with their goal as a share of the bare server (issue 16, and issue 14 for the API; none is set for the writing post).
    /// The bare server's runs are recorded under the row they were paired with: its hello-world for the pages, its
    /// form post for the writing post.
    /// </summary>
    private static readonly (string Endpoint, string Title, double Goal)[] Rows =
    [
        ("health", "`/health/live`", 0.50),
        ("sign-in", "sign-in page (anonymous)", 0.20),
        ("home", "home page (signed in)", 0.10),
        ("files", "files page, 100 files", 0.10),
        ("audit", "audit page, 100,000-event chain", 0.05),
        ("create-space", "form post: create a Space", 0),
        ("api-files", "API: `GET …/files?limit=100`, personal access token", 0.25),
    ];

    private const double P99GoalMs = 50;

    public static int Run(string resultsFile, string outFile, IReadOnlyList<string> soakFiles)
    {
        var runs = File.ReadAllLines(resultsFile).Where(l => l.StartsWith("run\t", StringComparison.Ordinal)).Select(l => l.Split('\t'))
            .Select(p => (Provider: p[1], Endpoint: p[2], Server: p[3], Round: int.Parse(p[4], En), Run: Parse(p[5]))).ToList();
        var checks = File.ReadAllLines(resultsFile).Where(l => l.StartsWith("check\t", StringComparison.Ordinal)).Select(l => l.Split('\t')).ToList();
        var servers = runs.Select(r => r.Server).Where(s => s != "bare").Distinct().OrderBy(s => s == "kastell" ? 1 : 0).ToList();
        var text = new StringBuilder();
        foreach (var provider in runs.Select(r => r.Provider).Distinct())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### {provider}").AppendLine();
            var header = "| request | bare req/s |";
            var rule = "|---|---:|";
            foreach (var server in servers)
            {
                header += $" {Name(server)} req/s | ratio | p50 ms | p99 ms | errors |";
                rule += "---:|---:|---:|---:|---:|";
            }

            text.AppendLine(header + " goal | met |").AppendLine(rule + "---|---|");
            foreach (var (endpoint, title, goal) in Rows)
            {
                var bareRuns = runs.Where(r => r.Provider == provider && r.Server == "bare" && r.Endpoint == endpoint).ToDictionary(r => r.Round, r => r.Run);
                if (bareRuns.Count == 0 || !runs.Any(r => r.Provider == provider && r.Endpoint == endpoint))
                {
                    continue;
                }

                var line = $"| {title} | {Median(bareRuns.Values.Select(r => r.Rps)).ToString("N0", En)} |";
                var met = "";
                foreach (var server in servers)
                {
                    var own = runs.Where(r => r.Provider == provider && r.Server == server && r.Endpoint == endpoint).ToList();
                    if (own.Count == 0)
                    {
                        line += " | | | | |";
                        continue;
                    }

                    var ratio = Median(own.Where(r => bareRuns.ContainsKey(r.Round)).Select(r => r.Run.Rps / bareRuns[r.Round].Rps));
                    var p50 = Median(own.Select(r => r.Run.P50));
                    var p99 = Median(own.Select(r => r.Run.P99));
                    var errors = own.Sum(r => r.Run.Errors);
                    line += $" {Median(own.Select(r => r.Run.Rps)).ToString("N0", En)} | {ratio.ToString("P1", En)} | {p50.ToString("N1", En)} | {p99.ToString("N1", En)} | {errors} |";
                    if (server == "kastell")
                    {
                        var failed = checks.Where(c => c[1] == provider && c[2] == endpoint && c[3] == server && c[4] != "ok").Select(c => c[4]).ToList();
                        met = (goal == 0 || ratio >= goal) && p99 <= P99GoalMs && errors == 0 && failed.Count == 0
                            ? "yes"
                            : "**no**" + (failed.Count > 0 ? " (" + string.Join("; ", failed) + ")" : "");
                    }
                }

                var goalText = (goal > 0 ? $"≥ {goal.ToString("P0", En)}, " : "") + $"p99 ≤ {P99GoalMs} ms";
                text.AppendLine(CultureInfo.InvariantCulture, $"{line} {goalText} | {met} |");
            }

            text.AppendLine();
        }

        foreach (var soak in soakFiles)
        {
            text.Append(Soak(soak));
        }

        File.WriteAllText(outFile, text.ToString());
        Console.Write(text);
        return 0;
    }

    /// <summary>The memory goal: resident set after the mix under 300 MB, no growth over its last five minutes.</summary>
    private static string Soak(string file)
    {
        var lines = File.ReadAllLines(file);
        var label = lines.FirstOrDefault(l => l.StartsWith("label\t", StringComparison.Ordinal))?.Split('\t')[1] ?? Path.GetFileNameWithoutExtension(file);
        var samples = lines.Where(l => l.StartsWith("rss\t", StringComparison.Ordinal)).Select(l => l.Split('\t'))
            .Select(p => (Seconds: double.Parse(p[1], En), Mb: double.Parse(p[2], En) / 1024)).ToList();
        var run = lines.Where(l => l.StartsWith("wrk\t", StringComparison.Ordinal)).Select(l => Parse(l.Split('\t')[1])).FirstOrDefault();
        if (samples.Count == 0 || run is null)
        {
            return $"Soak {label}: no samples.\n\n";
        }

        var end = samples[^1];
        var half = samples.MinBy(s => Math.Abs(s.Seconds - (end.Seconds - 300)));
        var growth = end.Mb - half.Mb;
        var met = end.Mb < 300 && samples.Max(s => s.Mb) < 300 && growth <= 5 && run.Errors == 0 ? "yes" : "**no**";
        return string.Create(En, $"""
            Soak {label}: {end.Seconds / 60:N0} minutes of the mix, {run.Rps:N0} req/s, p50 {run.P50:N1} ms, p99 {run.P99:N1} ms, {run.Errors} errors;
            resident set at the end {end.Mb:N0} MB (peak {samples.Max(s => s.Mb):N0} MB), change over the last five minutes {growth:+0;-0;0} MB
            (from {half.Mb:N0} MB at {half.Seconds / 60:N1} min). Goal: under 300 MB and not growing: {met}.


            """);
    }

    private static WrkRun Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new WrkRun(root.GetProperty("requests").GetInt64(), root.GetProperty("seconds").GetDouble(), root.GetProperty("rps").GetDouble(),
            root.GetProperty("p50_ms").GetDouble(), root.GetProperty("p99_ms").GetDouble(), root.GetProperty("errors").GetInt64());
    }

    private static string Name(string server) => server switch
    {
        "kastell" => "Kastell",
        var other => $"Kastell ({other})",
    };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
