using Kastell.Authorization.Conditions;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>Evaluates a tuple's condition for a request, turning evaluator outcomes into OpenFGA's errors (2000).</summary>
internal static class ConditionGate
{
    public static bool Evaluate(CompiledModel model, RelationshipTuple tuple, TupleCondition condition, IReadOnlyDictionary<string, object?>? requestContext)
    {
        var compiled = model.FindCondition(condition.Name) ?? throw new AuthorizationException(
            AuthorizationErrorCode.ValidationError,
            model.IsConditionDefined(condition.Name)
                ? $"failed to evaluate relationship condition '{condition.Name}': no condition evaluator is configured"
                : $"failed to evaluate relationship condition: condition '{condition.Name}' is not defined in the model");

        ConditionResult result;
        try
        {
            result = compiled.Evaluate(condition.Context, requestContext);
        }
        catch (ConditionException e)
        {
            throw new AuthorizationException(
                AuthorizationErrorCode.ValidationError,
                $"failed to evaluate relationship condition '{condition.Name}' on tuple '{tuple.Key}': {e.Message}");
        }

        if (result.HasMissingParameters)
        {
            throw new AuthorizationException(
                AuthorizationErrorCode.ValidationError,
                $"failed to evaluate relationship condition '{condition.Name}' on tuple '{tuple.Key}': context is missing parameters [{string.Join(", ", result.MissingParameters)}]");
        }

        return result.IsMet;
    }
}
