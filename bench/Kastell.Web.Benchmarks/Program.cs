using System.Globalization;
using Kastell.Web.Benchmarks;

// Usage (driven by bench/web.sh, see bench/README.md):
//   Kastell.Web.Benchmarks seed --url URL --data-dir DIR --provider Sqlite|Postgres [--connection CS] [--files N] [--audit-events N] --out FILE
//   Kastell.Web.Benchmarks report --results FILE --out FILE [--soak FILE ...]
if (args.Length == 0 || args[0] is not ("seed" or "report"))
{
    Console.Error.WriteLine("usage: Kastell.Web.Benchmarks seed|report [options] (see bench/web.sh)");
    return 2;
}

var options = Options.Parse(args[1..]);
return args[0] switch
{
    "seed" => await Seeder.RunAsync(new SeedSettings(
        new Uri(options.Required("url")),
        options.Required("data-dir"),
        options.Required("provider"),
        options.Optional("connection"),
        int.Parse(options.Optional("files") ?? "100", CultureInfo.InvariantCulture),
        int.Parse(options.Optional("audit-events") ?? "100000", CultureInfo.InvariantCulture),
        options.Required("out"))),
    _ => Report.Run(options.Required("results"), options.Required("out"), options.All("soak")),
};

/// <summary>Command-line options of the form <c>--name value</c>; a name may repeat.</summary>
internal sealed class Options(ILookup<string, string> values)
{
    public static Options Parse(string[] args) =>
        new(Enumerable.Range(0, args.Length / 2).Select(i => (Name: args[2 * i], Value: args[(2 * i) + 1]))
            .Where(o => o.Name.StartsWith("--", StringComparison.Ordinal))
            .ToLookup(o => o.Name[2..], o => o.Value));

    public string Required(string name) => Optional(name) ?? throw new ArgumentException($"--{name} is required.");

    public string? Optional(string name) => values[name].LastOrDefault();

    public IReadOnlyList<string> All(string name) => [.. values[name]];
}
