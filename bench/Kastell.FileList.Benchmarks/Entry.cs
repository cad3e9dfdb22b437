namespace Kastell.FileList.Benchmarks;

/// <summary>
/// <c>compare …</c> (the benchmark: alternates builds, see <see cref="Compare"/>) or <c>worker …</c> (one build's host,
/// seeded, see <see cref="Worker"/>); bench/README.md, <c>bash bench/files.sh</c>. Not a top-level program: the
/// server's <c>Program</c> is the type WebApplicationFactory starts.
/// </summary>
internal static class Entry
{
    public static async Task<int> Main(string[] args)
    {
        var arguments = new Arguments(args);
        switch (args.FirstOrDefault())
        {
            case "worker":
                return await Worker.RunAsync(arguments);
            case "compare":
                return await Compare.RunAsync(arguments);
            default:
                await Console.Error.WriteLineAsync("usage: Kastell.FileList.Benchmarks compare --variant NAME=WORKER.dll [...] | worker --provider Sqlite|Postgres [...] (see bench/README.md)");
                return 2;
        }
    }
}
