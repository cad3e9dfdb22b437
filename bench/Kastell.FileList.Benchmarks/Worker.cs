using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Kastell.FileList.Benchmarks;

/// <summary>
/// <c>worker --provider Sqlite|Postgres [--connection C] [--files N] [--members N] [--teams N] [--controls N] [--warmup N]</c>: one
/// Kastell build's host in this process (Production mode), seeded, with the three people signed in (a browser session
/// each, and an API token each). Prints <c>ready</c>, then answers <c>measure N</c> on standard input with N rounds in
/// which every person loads the files page and the API list once each (with <c>--controls</c> also the API's controls
/// list, unfiltered and filtered by the organization's owner), one request at a time; each request is one
/// line <c>sample endpoint person server_ms authorization_ms questions queries tuple_queries</c>, then <c>done</c>. <c>quit</c> ends it.
/// The orchestrator (<see cref="Compare"/>) runs one worker per build and alternates their rounds.
/// </summary>
internal static class Worker
{
    public static async Task<int> RunAsync(Arguments arguments)
    {
        var provider = arguments.Text("provider", "Sqlite");
        var work = Directory.CreateTempSubdirectory("kastell-files-bench-").FullName;
        try
        {
            await using var host = new BenchHost(provider, arguments.TextOrNull("connection"), work);
            var seeding = System.Diagnostics.Stopwatch.StartNew();
            var seeded = await Seed.RunAsync(host, arguments.Number("members", 200), arguments.Number("teams", 20), arguments.Number("files", 1_000), arguments.Number("controls", 0));
            Log(FormattableString.Invariant($"{provider}: seeded {seeded.Tuples} tuples in {seeding.Elapsed.TotalSeconds:F1} s"));

            var people = new List<(BenchUser User, HttpClient Browser, HttpClient Api)>();
            foreach (var user in seeded.Users)
            {
                var browser = host.CreateBrowser();
                await FormClient.SignInAsync(browser, user.Email, Seed.Password, user.RecoveryCode);
                var api = host.CreateBrowser();
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.ApiToken);
                people.Add((user, browser, api));
            }

            using var meter = new RequestMeter();
            var requests = new List<(string Name, Func<(BenchUser User, HttpClient Browser, HttpClient Api), Task> Send)>
            {
                ("page", p => ExpectAsync(p.Browser, seeded.PagePath, "evidence-0000.txt", p.User)),
                ("api", p => ExpectAsync(p.Api, seeded.ApiPath, "\"evidence-", p.User)),
            };
            if (seeded.ControlsPath is { } controls && seeded.OwnedControlsPath is { } owned)
            {
                requests.Add(("controls", p => ExpectAsync(p.Api, controls, "\"Control 0000\"", p.User)));
                requests.Add(("controls-owner", p => ExpectAsync(p.Api, owned, "\"Control 0000\"", p.User)));
            }

            async Task RoundsAsync(int rounds, bool print)
            {
                for (var round = 0; round < rounds; round++)
                {
                    for (var person = 0; person < people.Count; person++)
                    {
                        foreach (var (name, send) in requests)
                        {
                            meter.Reset();
                            await send(people[person]);
                            var m = await meter.TakeAsync();
                            if (print)
                            {
                                Console.WriteLine(FormattableString.Invariant($"sample\t{name}\t{person}\t{m.ServerMs:F4}\t{m.AuthorizationMs:F4}\t{m.Questions}\t{m.Queries}\t{m.TupleQueries}"));
                            }
                        }
                    }
                }
            }

            await RoundsAsync(arguments.Number("warmup", 30), print: false);
            Console.WriteLine("ready\t" + string.Join("\t", seeded.Users.Select(u => u.Label)) + FormattableString.Invariant($"\t{seeded.Tuples}"));
            while (Console.ReadLine() is { } command)
            {
                if (command.StartsWith("measure ", StringComparison.Ordinal))
                {
                    await RoundsAsync(int.Parse(command["measure ".Length..], CultureInfo.InvariantCulture), print: true);
                    Console.WriteLine("done");
                }
                else if (command == "quit")
                {
                    break;
                }
            }

            foreach (var (_, browser, api) in people)
            {
                browser.Dispose();
                api.Dispose();
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // a file still open is left to the temp cleaner
            }
        }
    }

    /// <summary>A wrong answer (a redirect to sign-in, a 404) would be fast and meaningless: every answer is checked.</summary>
    private static async Task ExpectAsync(HttpClient client, string path, string mustContain, BenchUser user)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || !body.Contains(mustContain, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{user.Label}: GET {path} answered {(int)response.StatusCode} without what it lists.");
        }
    }

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}
