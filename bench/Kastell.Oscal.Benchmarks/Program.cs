using System.Diagnostics;
using System.Globalization;
using Kastell.Oscal.Model;
using Kastell.Oscal.Reading;
using Kastell.Oscal.Resolution;

// Times reading and resolving the real OSCAL files: the first run of each (a fresh process: JIT included, what an
// import pays once) and the median of the following runs. Usage: Kastell.Oscal.Benchmarks [--runs N]
var runs = args.Length == 2 && args[0] == "--runs" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var data = FindData();
string PathOf(string relative) => Path.Combine(data, relative);

var kernel = PathOf("bsi/BSI-Stand-der-Technik-Kernel-catalog.json");
var moderate = PathOf("nist/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json");
var mapping = PathOf("bsi/ITGS-to-GS++-mapping_collection.json");
var profileUri = new Uri("https://bsi.invalid/Anwenderkataloge/Grundschutz++/profile/Grundschutz++-profile.json");
var profile = Read(PathOf("bsi/Grundschutz++-profile.json")).Profile!;
var source = new InMemoryDocumentSource().Add(profileUri, File.ReadAllBytes(PathOf("bsi/Grundschutz++-profile.json")));
foreach (var (uuid, file) in new[]
{
    ("5fa04faf-937c-48e0-8764-9b2cd55e2170", "bsi/BSI-Methodik-Grundschutz++-catalog.json"),
    ("d139a8e0-1d74-4e33-ad25-6385c53b4fbe", "bsi/BSI-Anforderungen-zum-Risikomanagement-catalog.json"),
    ("41fb0187-c393-4342-827f-173e6323a6c0", "bsi/BSI-Stand-der-Technik-Kernel-catalog.json"),
})
{
    source.Add(new Uri(profileUri, profile.BackMatter!.Resources.Single(r => r.Uuid == uuid).Rlinks[0].Href), File.ReadAllBytes(PathOf(file)));
}

Console.WriteLine($"| What | Size | Controls | First run | Median of {runs} | Allocated per run |");
Console.WriteLine("|---|---|---|---|---|---|");
Measure("Read BSI kernel catalog (file)", new FileInfo(kernel).Length, () => Read(kernel).Catalog!.AllControls().Count());
Measure("Read NIST MODERATE resolved catalog (file)", new FileInfo(moderate).Length, () => Read(moderate).Catalog!.AllControls().Count());
Measure("Read ITGS→GS++ mapping collection (file)", new FileInfo(mapping).Length, () => Read(mapping).MappingCollection!.Mappings.Sum(m => m.Maps.Count));
Measure("Resolve Grundschutz++ profile (read 3 catalogs + resolve)", 0, () => Check(ProfileResolver.Resolve(profileUri, source)).AllControls().Count());
Console.WriteLine();
Console.WriteLine($"Peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB; .NET {Environment.Version}, {Environment.ProcessorCount} cores");

void Measure(string what, long bytes, Func<int> action)
{
    var first = Stopwatch.StartNew();
    var count = action();
    first.Stop();
    var times = new List<double>();
    long allocated = 0;
    for (var i = 0; i < runs; i++)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        action();
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    var size = bytes > 0 ? $"{bytes / 1024.0 / 1024.0:F1} MB" : "";
    Console.WriteLine(FormattableString.Invariant($"| {what} | {size} | {count} | {first.Elapsed.TotalMilliseconds:F0} ms | {times[times.Count / 2]:F1} ms | {allocated / 1024.0 / 1024.0:F1} MB |"));
}

static OscalDocument Read(string path)
{
    using var stream = File.OpenRead(path);
    var result = OscalReader.Read(stream);
    return result.IsSuccess ? result.Value : throw new InvalidOperationException(result.ToString());
}

static Catalog Check(Kastell.Oscal.OscalResult<Catalog> result) =>
    result.IsSuccess ? result.Value : throw new InvalidOperationException(result.ToString());

static string FindData()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Kastell.slnx")))
        {
            return Path.Combine(dir.FullName, "tests", "data", "oscal");
        }
    }

    throw new InvalidOperationException("no Kastell.slnx above the program");
}
