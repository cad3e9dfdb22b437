using Kastell.Authorization.Conditions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>Shorthands for compiling and evaluating a condition in tests.</summary>
internal static class Cel
{
    private static readonly CelConditionEvaluator Evaluator = new();

    public static CompiledCondition Compile(string expression, string parameters = "") =>
        Evaluator.Compile(new ConditionDefinition("test", expression, DslConditionExtractor.ParseParameters(parameters)));

    public static ConditionResult Evaluate(string expression, string parameters = "", IReadOnlyDictionary<string, object?>? context = null) =>
        Compile(expression, parameters).Evaluate(null, context);

    public static bool IsMet(string expression, string parameters = "", IReadOnlyDictionary<string, object?>? context = null)
    {
        var result = Evaluate(expression, parameters, context);
        Assert.Empty(result.MissingParameters);
        return result.IsMet;
    }

    public static Dictionary<string, object?> Context(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}
