using System.Text.Json.Nodes;
using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

public sealed class FgaModCase
{
    public string Name { get; set; } = string.Empty;

    [YamlDotNet.Serialization.YamlMember(Alias = "modFile", ApplyNamingConventions = false)]
    public string ModFile { get; set; } = string.Empty;

    public string? Json { get; set; }

    public List<ExpectedError>? ExpectedErrors { get; set; }

    public override string ToString() => Name;
}

/// <summary>OpenFGA's <c>fga.mod</c> manifest cases: the parsed manifest with positions, or the expected errors.</summary>
public sealed class FgaModCaseTests
{
    public static IEnumerable<TheoryDataRow<FgaModCase>> Cases() =>
        LanguageCases.ReadYaml<FgaModCase>("fga-mod-transformer-cases.yaml")
            .Select(c => new TheoryDataRow<FgaModCase>(c) { TestDisplayName = "fga-mod: " + c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Manifest_parses_or_fails_as_expected(FgaModCase testCase)
    {
        var (file, errors) = FgaModFile.Parse(testCase.ModFile);

        ErrorAssert.Matches(testCase.ExpectedErrors, errors);
        if (testCase.Json is not null)
        {
            Assert.NotNull(file);
            JsonAssert.Equivalent(testCase.Json, ToJson(file).ToJsonString());
        }
    }

    private static JsonObject ToJson(FgaModFile file) => new()
    {
        ["schema"] = Positioned(file.Schema, JsonValue.Create(file.Schema.Value)),
        ["contents"] = Positioned(file.Contents, new JsonArray([.. file.Contents.Value.Select(c => Positioned(c, JsonValue.Create(c.Value)))])),
    };

    private static JsonObject Positioned<T>(FgaModValue<T> value, JsonNode node) => new()
    {
        ["value"] = node,
        ["line"] = new JsonObject { ["start"] = value.LineStart, ["end"] = value.LineEnd },
        ["column"] = new JsonObject { ["start"] = value.ColumnStart, ["end"] = value.ColumnEnd },
    };
}
