using System.Diagnostics;
using System.Globalization;
using Kastell.Audit.Benchmarks;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Audit;
using Microsoft.Extensions.DependencyInjection;

// Usage: Kastell.Audit.Benchmarks [--append N] [--tracked N] [--verify N] [--batch N] [--repeat N] [--postgres CONNECTION] [--out FILE]
// bench/run.sh audit starts a throwaway PostgreSQL cluster and passes --postgres.
var arguments = args.Select((value, index) => (value, index)).Where(a => a.value.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(a => a.value[2..], a => a.index + 1 < args.Length ? args[a.index + 1] : "");
int Number(string name, int fallback) => arguments.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var appendEvents = Number("append", 200_000);
var trackedEvents = Number("tracked", 20_000);
var verifyEvents = Number("verify", 1_000_000);
var batchSize = Number("batch", 1_000);
var repeat = Number("repeat", 3);
var postgres = arguments.GetValueOrDefault("postgres");
var lines = new List<string>
{
    $"Kastell audit benchmarks, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}",
    "",
    "| measurement | events | result | goal |",
    "|---|---|---|---|",
};

var work = Directory.CreateTempSubdirectory("kastell-audit-bench-").FullName;
try
{
    var providers = new List<(DatabaseProvider Provider, string? Connection)> { (DatabaseProvider.Sqlite, null) };
    if (!string.IsNullOrEmpty(postgres))
    {
        providers.Add((DatabaseProvider.Postgres, postgres));
    }

    foreach (var (provider, connection) in providers)
    {
        await using var services = await BenchServices.CreateAsync(provider, connection, Path.Combine(work, provider.ToString()));
        var organization = Guid.NewGuid();
        var tracked = await AppendBenchmark.RunAsync(services, organization, trackedEvents, batchSize, bulk: false);
        Report($"append on {provider} through IAuditLog (EF change tracking), {batchSize} per SaveChanges", trackedEvents, $"{tracked:N0} events/s", null, "—");
        var rate = await AppendBenchmark.RunAsync(services, organization, appendEvents, batchSize, bulk: true);
        Report($"append on {provider}, batched ({batchSize} per transaction, AuditBulkAppender)", appendEvents, $"{rate:N0} events/s", rate >= 20_000, "≥ 20 000 events/s");

        var watch = Stopwatch.StartNew();
        var (events, _, problems) = await services.GetRequiredService<AuditVerifier>().VerifyChainAsync(organization);
        watch.Stop();
        Check(problems.Count == 0, $"the appended chain on {provider} does not verify");
        Report($"load and verify the appended chain from {provider}", events, $"{watch.Elapsed.TotalSeconds:N2} s ({events / watch.Elapsed.TotalSeconds:N0} events/s)", null, "—");
    }

    var key = AuditSigningKey.LoadOrCreate(Path.Combine(work, "keys"));
    var verify = await VerifyBenchmark.RunAsync(verifyEvents, work, key, repeat);
    Check(verify.Problems == 0, "the generated chain does not verify");
    var ratio = verify.Verify / verify.Sha256Sum;
    Report($"sha256sum over the same canonical bytes ({verify.Bytes / 1_000_000.0:N0} MB), best of {repeat}", verify.Events, $"{verify.Sha256Sum.TotalSeconds:N2} s", null, "—");
    Report($"verify the chain in memory (hashes, links, {verify.Events / 100:N0} checkpoint signatures), best of {repeat}", verify.Events, $"{verify.Verify.TotalSeconds:N2} s = **{ratio:N2}×** sha256sum (CPU {verify.VerifyCpu.TotalSeconds:N2} s = {verify.VerifyCpu / verify.Sha256Sum:N2}×)", ratio <= 3, "≤ 3× sha256sum");
}
finally
{
    Directory.Delete(work, recursive: true);
}

var output = string.Join('\n', lines) + "\n";
Console.Write(output);
if (arguments.TryGetValue("out", out var file))
{
    await File.WriteAllTextAsync(file, output);
}

return 0;

void Report(string what, long events, string result, bool? met, string goal)
{
    var verdict = met switch { true => " (met)", false => " (**missed**)", null => "" };
    lines.Add($"| {what} | {events:N0} | {result} | {goal}{verdict} |");
    Console.Error.WriteLine(lines[^1]);
}

static void Check(bool condition, string message)
{
    if (!condition)
    {
        throw new InvalidOperationException(message);
    }
}
