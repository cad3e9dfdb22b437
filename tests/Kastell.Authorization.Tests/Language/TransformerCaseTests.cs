using System.Text.Json.Nodes;
using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

/// <summary>OpenFGA's transformer cases: each <c>authorization-model.fga</c> must produce its <c>authorization-model.json</c>.</summary>
public sealed class TransformerCaseTests
{
    public static IEnumerable<TheoryDataRow<string>> Cases() =>
        System.IO.Directory.GetDirectories(LanguageCases.PathOf("transformer"))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .Select(name => new TheoryDataRow<string>(name) { TestDisplayName = $"transformer/{name}" });

    private static string Read(string name, string file) => File.ReadAllText(LanguageCases.PathOf("transformer", name, file));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dsl_transforms_to_expected_json(string name)
    {
        var model = ModelParser.ParseSyntaxOnly(Read(name, "authorization-model.fga"));

        JsonAssert.Equivalent(Read(name, "authorization-model.json"), ModelJson.ToJson(model));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Json_round_trips_through_dsl(string name)
    {
        var expected = Read(name, "authorization-model.json");

        var dsl = ModelDslWriter.Write(ModelJson.FromJson(expected));

        JsonAssert.Equivalent(expected, ModelJson.ToJson(ModelParser.ParseSyntaxOnly(dsl)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Json_writes_the_expected_dsl_text(string name)
    {
        var dsl = ModelDslWriter.Write(ModelJson.FromJson(Read(name, "authorization-model.json")));

        Assert.Equal(Read(name, "authorization-model.fga").TrimEnd(), dsl.TrimEnd());
    }
}

internal static class JsonAssert
{
    /// <summary>Structural JSON equality: key order is ignored, array order and values are not.</summary>
    public static void Equivalent(string expected, string actual) =>
        Assert.Equal(Canonical(JsonNode.Parse(expected)), Canonical(JsonNode.Parse(actual)));

    private static string Canonical(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonValue.Create(p.Key).ToJsonString()}:{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        _ => node.ToJsonString(),
    };
}
