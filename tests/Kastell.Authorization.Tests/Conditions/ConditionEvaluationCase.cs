using System.Text.RegularExpressions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Conditions;

internal enum ExpectedOutcome
{
    Met,
    NotMet,
    Error,
}

/// <summary>
/// A check assertion that hinges on one conditioned tuple alone, so that the condition's result is the check's result.
/// </summary>
internal sealed record ConditionEvaluationCase(
    string Name,
    ConditionDefinition Condition,
    IReadOnlyDictionary<string, object?>? TupleContext,
    IReadOnlyDictionary<string, object?>? RequestContext,
    ExpectedOutcome Expected)
{
    /// <summary>
    /// Finds the tuple deciding a check of <paramref name="user"/> <paramref name="relation"/> <paramref name="obj"/>:
    /// only when the relation is purely directly assigned in the model, exactly one conditioned tuple grants it, and no
    /// other tuple involves that user, and no wildcard or userset tuple could grant that object's relation instead.
    /// </summary>
    public static IReadOnlyDictionary<string, object?>? DecidingTuple(
        string model, IReadOnlyList<object?> tuples, string user, string relation, string obj)
    {
        if (user.Contains('#') || !IsPurelyDirect(model, obj.Split(':')[0], relation))
        {
            return null;
        }

        var related = tuples.OfType<IReadOnlyDictionary<string, object?>>()
            .Where(t => OpenFgaTestData.Text(t, "user") == user
                || (OpenFgaTestData.Text(t, "object") == obj && OpenFgaTestData.Text(t, "relation") == relation
                    && OpenFgaTestData.Text(t, "user") is { } other && (other.EndsWith(":*", StringComparison.Ordinal) || other.Contains('#'))))
            .ToList();
        return related is [var only]
            && OpenFgaTestData.Text(only, "user") == user
            && OpenFgaTestData.Text(only, "object") == obj
            && OpenFgaTestData.Text(only, "relation") == relation
            && OpenFgaTestData.Map(only, "condition") is not null
                ? only
                : null;
    }

    private static bool IsPurelyDirect(string model, string type, string relation)
    {
        var typeBlock = Regex.Match(model, $@"^\s*type {Regex.Escape(type)}\s*$(.*?)(?=^\s*(type|condition) |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        return typeBlock.Success
            && Regex.IsMatch(typeBlock.Groups[1].Value, $@"^\s*define {Regex.Escape(relation)}\s*:\s*\[[^\]]*\]\s*$", RegexOptions.Multiline);
    }
}
