using Kastell.Authorization.Conditions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>
/// Every condition in OpenFGA's ABAC conformance suite compiles, and every check assertion that one conditioned tuple
/// decides on its own evaluates to the asserted outcome.
/// </summary>
public sealed class ConformanceConditionTests
{
    private const string SuitePath = "conformance/abac_tests.yaml";

    private static readonly Lazy<(Dictionary<string, ConditionDefinition> Conditions, Dictionary<string, ConditionEvaluationCase> Cases)> Suite =
        new(Load);

    public static TheoryData<string> ConditionNames => [.. Suite.Value.Conditions.Keys];

    public static TheoryData<string> CaseNames => [.. Suite.Value.Cases.Keys];

    [Fact]
    public void Suite_HasConditionsAndDecidableCases()
    {
        Assert.True(Suite.Value.Conditions.Count >= 29, $"only {Suite.Value.Conditions.Count} conditions found");
        Assert.True(Suite.Value.Cases.Count >= 18, $"only {Suite.Value.Cases.Count} cases found");
    }

    [Theory]
    [MemberData(nameof(ConditionNames))]
    public void Condition_Compiles(string name)
    {
        var definition = Suite.Value.Conditions[name];

        var compiled = new CelConditionEvaluator().Compile(definition);

        Assert.Same(definition, compiled.Definition);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void CheckAssertion_DecidedByOneTuple_MatchesTheCondition(string name) => AssertOutcome(Suite.Value.Cases[name]);

    internal static void AssertOutcome(ConditionEvaluationCase @case)
    {
        var compiled = new CelConditionEvaluator().Compile(@case.Condition);
        ConditionResult result;
        try
        {
            result = compiled.Evaluate(@case.TupleContext, @case.RequestContext);
        }
        catch (ConditionException) when (@case.Expected == ExpectedOutcome.Error)
        {
            return;
        }

        switch (@case.Expected)
        {
            case ExpectedOutcome.Error:
                // OpenFGA's Check fails with a validation error whenever a parameter is missing.
                Assert.True(result.HasMissingParameters, "expected missing parameters or an error");
                break;
            case ExpectedOutcome.Met:
                Assert.Empty(result.MissingParameters);
                Assert.True(result.IsMet);
                break;
            default:
                Assert.Empty(result.MissingParameters);
                Assert.False(result.IsMet);
                break;
        }
    }

    private static (Dictionary<string, ConditionDefinition>, Dictionary<string, ConditionEvaluationCase>) Load()
    {
        var conditions = new Dictionary<string, ConditionDefinition>();
        var cases = new Dictionary<string, ConditionEvaluationCase>();
        var suite = OpenFgaTestData.LoadYaml(OpenFgaTestData.PathOf(SuitePath));
        foreach (var test in OpenFgaTestData.List(suite, "tests"))
        {
            var testName = OpenFgaTestData.Text(test, "name")!;
            var stages = OpenFgaTestData.List(test, "stages");
            for (var s = 0; s < stages.Count; s++)
            {
                var stage = stages[s];
                var model = OpenFgaTestData.Text(stage, "model");
                if (model is null)
                {
                    continue;
                }

                var defined = DslConditionExtractor.Extract(model).ToDictionary(c => c.Name);
                foreach (var condition in defined.Values)
                {
                    conditions[$"{testName}[{s}].{condition.Name}"] = condition;
                }

                var tuples = OpenFgaTestData.List(stage, "tuples");
                var assertions = OpenFgaTestData.List(stage, "checkAssertions");
                for (var a = 0; a < assertions.Count; a++)
                {
                    var key = OpenFgaTestData.Map(assertions[a], "tuple");
                    var tuple = ConditionEvaluationCase.DecidingTuple(
                        model, tuples, OpenFgaTestData.Text(key, "user")!, OpenFgaTestData.Text(key, "relation")!, OpenFgaTestData.Text(key, "object")!);
                    var conditionName = OpenFgaTestData.Text(OpenFgaTestData.Map(tuple, "condition"), "name");
                    if (conditionName is null || !defined.TryGetValue(conditionName, out var definition))
                    {
                        continue;
                    }

                    var expected = OpenFgaTestData.Value(assertions[a], "errorCode") is not null ? ExpectedOutcome.Error
                        : OpenFgaTestData.Value(assertions[a], "expectation") is true ? ExpectedOutcome.Met
                        : ExpectedOutcome.NotMet;
                    var name = $"{testName}[{s}].check{a}";
                    cases[name] = new ConditionEvaluationCase(
                        name, definition, OpenFgaTestData.Map(OpenFgaTestData.Map(tuple, "condition"), "context"),
                        OpenFgaTestData.Map(assertions[a], "context"), expected);
                }
            }
        }

        return (conditions, cases);
    }
}
