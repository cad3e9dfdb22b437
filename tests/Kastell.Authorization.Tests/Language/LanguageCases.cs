using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Kastell.Authorization.Tests.Language;

/// <summary>Reads OpenFGA's language test cases in <c>tests/data/openfga/language</c>.</summary>
internal static class LanguageCases
{
    public static string Directory => TestDataFolder.Get("openfga", "language");

    public static string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

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
