using System.Text.Json.Nodes;
using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

/// <summary>OpenFGA's modular-model cases: module files combine into the expected model, or fail with the expected errors.</summary>
public sealed class ModuleCaseTests
{
    public static IEnumerable<TheoryDataRow<string>> Cases() =>
        System.IO.Directory.GetDirectories(LanguageCases.PathOf("transformer-module"))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .Select(name => new TheoryDataRow<string>(name) { TestDisplayName = $"transformer-module/{name}" });

    private static List<ModuleFile> ModuleFiles(string name)
    {
        var folder = LanguageCases.PathOf("transformer-module", name, "module");
        return System.IO.Directory.GetFiles(folder, "*.fga", SearchOption.AllDirectories)
            .Select(path => new ModuleFile(Path.GetRelativePath(folder, path).Replace('\\', '/'), File.ReadAllText(path)))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Modules_combine_or_fail_as_expected(string name)
    {
        Assert.SkipUnless(System.IO.Directory.Exists(LanguageCases.PathOf("transformer-module", name, "module")), "case has no module files");
        var result = ModularModel.Combine(ModuleFiles(name));
        var errorsFile = LanguageCases.PathOf("transformer-module", name, "expected_errors.json");

        if (File.Exists(errorsFile))
        {
            var expected = JsonNode.Parse(File.ReadAllText(errorsFile))!.AsArray()
                .Select(e => $"{e!["file"]} {e["line"]!["start"]}-{e["line"]!["end"]}:{e["column"]!["start"]}-{e["column"]!["end"]} {e["msg"]}")
                .Order(StringComparer.Ordinal);
            var actual = result.Errors
                .Select(e => $"{e.File} {e.LineStart}-{e.LineEnd}:{e.ColumnStart}-{e.ColumnEnd} {e.Message}")
                .Order(StringComparer.Ordinal);
            Assert.Equal(expected, actual);
            return;
        }

        Assert.Empty(result.Errors);
        JsonAssert.Equivalent(File.ReadAllText(LanguageCases.PathOf("transformer-module", name, "authorization-model.json")), ModelJson.ToJson(result.Model!));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Combined_json_writes_the_expected_dsl(string name)
    {
        var jsonFile = LanguageCases.PathOf("transformer-module", name, "authorization-model.json");
        var dslFile = LanguageCases.PathOf("transformer-module", name, "combined.fga");
        Assert.SkipUnless(File.Exists(jsonFile) && File.Exists(dslFile), "case has no combined model and DSL");

        var dsl = ModelDslWriter.Write(ModelJson.FromJson(File.ReadAllText(jsonFile)));

        Assert.Equal(File.ReadAllText(dslFile).TrimEnd(), dsl.TrimEnd());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Combined_json_round_trips_with_module_metadata(string name)
    {
        var jsonFile = LanguageCases.PathOf("transformer-module", name, "authorization-model.json");
        Assert.SkipUnless(File.Exists(jsonFile), "error case: no combined model");
        var json = File.ReadAllText(jsonFile);

        var model = ModelJson.FromJson(json);

        JsonAssert.Equivalent(json, ModelJson.ToJson(model));
        var expectedModules = JsonNode.Parse(File.ReadAllText(LanguageCases.PathOf("transformer-module", name, "expected_modules.json")))!
            .AsArray().Select(m => (string)m!);
        Assert.Equal(expectedModules, ModularModel.ModuleNames(model));
    }
}
