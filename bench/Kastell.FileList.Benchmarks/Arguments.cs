using System.Globalization;

namespace Kastell.FileList.Benchmarks;

/// <summary><c>--name value</c> pairs (a name may repeat: <see cref="All"/>).</summary>
internal sealed class Arguments(string[] args)
{
    public string? TextOrNull(string name) => All(name).LastOrDefault();

    public string Text(string name, string fallback) => TextOrNull(name) ?? fallback;

    public int Number(string name, int fallback) => TextOrNull(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public IEnumerable<string> All(string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--" + name)
            {
                yield return args[i + 1];
            }
        }
    }
}
