using Kastell.Authorization.Conditions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>
/// The conditions of OpenFGA's language transformer fixtures (<c>language/transformer/1*</c>) and sample stores compile,
/// and the sample stores' check assertions decided by one conditioned tuple match the condition's result.
/// </summary>
public sealed class SampleConditionTests
{
    /// <summary>
    /// A transformer fixture only exercises DSL syntax: this condition reads <c>document_attributes</c>, which it never
    /// declares, so OpenFGA (cel-go) rejects it too.
    /// </summary>
    private const string UndeclaredReferenceFixture = "doc_viewer_condition@transformer/11";

    private static readonly Lazy<Dictionary<string, ConditionDefinition>> Conditions = new(LoadConditions);

    private static readonly Lazy<Dictionary<string, ConditionEvaluationCase>> Cases = new(LoadCases);

    public static TheoryData<string> ConditionNames => [.. Conditions.Value.Keys.Where(k => k != UndeclaredReferenceFixture)];

    public static TheoryData<string> CaseNames => [.. Cases.Value.Keys];

    [Fact]
    public void Fixtures_AreFound()
    {
        Assert.True(Conditions.Value.Count >= 30, $"only {Conditions.Value.Count} conditions found");
        Assert.True(Cases.Value.Count >= 10, $"only {Cases.Value.Count} cases found");
    }

    [Theory]
    [MemberData(nameof(ConditionNames))]
    public void Condition_Compiles(string name)
    {
        var compiled = new CelConditionEvaluator().Compile(Conditions.Value[name]);

        Assert.Equal(Conditions.Value[name].Expression, compiled.Definition.Expression);
    }

    [Fact]
    public void ConditionWithUndeclaredReference_IsRejected()
    {
        var error = Assert.Throws<ConditionException>(() => new CelConditionEvaluator().Compile(Conditions.Value[UndeclaredReferenceFixture]));

        Assert.Contains("undeclared reference to 'document_attributes'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void CheckAssertion_DecidedByOneTuple_MatchesTheCondition(string name) =>
        ConformanceConditionTests.AssertOutcome(Cases.Value[name]);

    private static IEnumerable<(string Relative, string Text)> ModelSources()
    {
        foreach (var dir in Directory.GetDirectories(OpenFgaTestData.PathOf("language/transformer"), "1*"))
        {
            foreach (var file in Directory.GetFiles(dir, "*.fga"))
            {
                yield return (Path.GetRelativePath(OpenFgaTestData.Root, file), File.ReadAllText(file));
            }
        }

        foreach (var file in Directory.GetFiles(OpenFgaTestData.PathOf("sample-stores"), "*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".fga", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            yield return (Path.GetRelativePath(OpenFgaTestData.Root, file), File.ReadAllText(file));
        }
    }

    /// <summary>
    /// A short, unique label for a fixture file (xUnit shows only the first 50 characters of a row's argument):
    /// <c>transformer/100</c>, <c>temporal-access</c>, <c>modeling-guide/step-7</c>.
    /// </summary>
    private static string ShortName(string relative)
    {
        var parts = relative.Replace('\\', '/').Split('/');
        return parts[0] == "language"
            ? $"transformer/{parts[2].Split('-')[0]}"
            : parts[^1] == "store.fga.yaml"
                ? string.Join('/', parts[1..^1])
                : string.Join('/', parts[1..^1].Append(string.Join('-', parts[^1].Split('-').Take(2))));
    }

    private static Dictionary<string, ConditionDefinition> LoadConditions()
    {
        var conditions = new Dictionary<string, ConditionDefinition>();
        foreach (var (relative, text) in ModelSources())
        {
            foreach (var condition in DslConditionExtractor.Extract(text))
            {
                conditions.Add($"{condition.Name}@{ShortName(relative)}", condition);
            }
        }

        return conditions;
    }

    private static Dictionary<string, ConditionEvaluationCase> LoadCases()
    {
        var cases = new Dictionary<string, ConditionEvaluationCase>();
        foreach (var file in Directory.GetFiles(OpenFgaTestData.PathOf("sample-stores"), "*.yaml", SearchOption.AllDirectories))
        {
            var content = OpenFgaTestData.LoadYaml(file);
            var model = OpenFgaTestData.Text(content, "model")
                ?? (OpenFgaTestData.Text(content, "model_file") is { } modelFile ? File.ReadAllText(Path.Combine(Path.GetDirectoryName(file)!, modelFile)) : null);
            if (model is null)
            {
                continue;
            }

            var defined = DslConditionExtractor.Extract(model).ToDictionary(c => c.Name);
            var storeTuples = OpenFgaTestData.List(content, "tuples");
            var tests = OpenFgaTestData.List(content, "tests");
            for (var t = 0; t < tests.Count; t++)
            {
                var test = tests[t];
                var tuples = storeTuples.Concat(OpenFgaTestData.List(test, "tuples")).ToList();
                var checks = OpenFgaTestData.List(test, "check");
                for (var c = 0; c < checks.Count; c++)
                {
                    var user = OpenFgaTestData.Text(checks[c], "user");
                    var obj = OpenFgaTestData.Text(checks[c], "object");
                    foreach (var (relation, expectation) in OpenFgaTestData.Map(checks[c], "assertions") ?? new Dictionary<string, object?>())
                    {
                        if (user is null || obj is null
                            || ConditionEvaluationCase.DecidingTuple(model, tuples, user, relation, obj) is not { } tuple
                            || OpenFgaTestData.Text(OpenFgaTestData.Map(tuple, "condition"), "name") is not { } conditionName
                            || !defined.TryGetValue(conditionName, out var definition))
                        {
                            continue;
                        }

                        var name = $"{ShortName(Path.GetRelativePath(OpenFgaTestData.Root, file))}/test{t}/check{c}/{relation}";
                        cases.Add(name, new ConditionEvaluationCase(
                            name, definition, OpenFgaTestData.Map(OpenFgaTestData.Map(tuple, "condition"), "context"),
                            OpenFgaTestData.Map(checks[c], "context"), expectation is true ? ExpectedOutcome.Met : ExpectedOutcome.NotMet));
                    }
                }
            }
        }

        return cases;
    }
}
