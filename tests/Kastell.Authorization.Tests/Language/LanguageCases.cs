using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Kastell.Authorization.Tests.Language;

/// <summary>Reads OpenFGA's shared language test cases from <c>shared/data/openfga/language</c> beside the repository.</summary>
internal static class LanguageCases
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Directory => Root.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kastell.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir?.Parent is null)
        {
            throw new InvalidOperationException("Kastell.slnx not found above " + AppContext.BaseDirectory);
        }

        var data = Path.Combine(dir.Parent.FullName, "shared", "data", "openfga", "language");
        return System.IO.Directory.Exists(data) ? data : throw new DirectoryNotFoundException(data);
    }

    public static List<T> ReadYaml<T>(string file)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .IgnoreUnmatchedProperties()
            .Build();
        return deserializer.Deserialize<List<T>>(File.ReadAllText(PathOf(file)));
    }
}

public sealed class DslCase
{
    public string Name { get; set; } = string.Empty;

    public string Dsl { get; set; } = string.Empty;

    public bool Skip { get; set; }

    public List<ExpectedError>? ExpectedErrors { get; set; }

    public override string ToString() => Name;
}

public sealed class ExpectedError
{
    public string Msg { get; set; } = string.Empty;

    public Range? Line { get; set; }

    public Range? Column { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }
}

public sealed class Range
{
    public int Start { get; set; }

    public int End { get; set; }
}
