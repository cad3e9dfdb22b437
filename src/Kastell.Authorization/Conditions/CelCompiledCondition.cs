using Kastell.Authorization.Conditions.Cel;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Conditions;

internal sealed class CelCompiledCondition(ConditionDefinition definition, CelExpr expression) : CompiledCondition
{
    private readonly IReadOnlySet<string> _declared = definition.Parameters.Keys.ToHashSet(StringComparer.Ordinal);

    public override ConditionDefinition Definition { get; } = definition;

    public override ConditionResult Evaluate(
        IReadOnlyDictionary<string, object?>? tupleContext,
        IReadOnlyDictionary<string, object?>? requestContext)
    {
        if (Definition.Parameters.Count == 0 && (tupleContext is { Count: > 0 } || requestContext is { Count: > 0 }))
        {
            // OpenFGA refuses any context for a condition that declares no parameters.
            throw new ConditionException($"condition '{Definition.Name}': no parameters defined for the condition");
        }

        var bindings = new Dictionary<string, object>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (name, type) in Definition.Parameters)
        {
            // Only declared parameters are bound; the tuple's own context wins over the request's.
            object? raw = null;
            var present = (tupleContext?.TryGetValue(name, out raw) ?? false) || (requestContext?.TryGetValue(name, out raw) ?? false);
            if (!present)
            {
                missing.Add(name);
                continue;
            }

            try
            {
                bindings[name] = ParameterValueConverter.Convert(raw, type);
            }
            catch (ConditionException e)
            {
                throw new ConditionException($"condition '{Definition.Name}': failed to convert context parameter '{name}': {e.Message}");
            }
        }

        missing.Sort(StringComparer.Ordinal);
        object result;
        try
        {
            result = CelInterpreter.Evaluate(expression, bindings, _declared);
        }
        catch (CelLimitException e)
        {
            throw new ConditionException($"condition '{Definition.Name}': {e.Message}");
        }

        return result switch
        {
            bool met => new ConditionResult(met, missing),
            CelUnknown => new ConditionResult(false, missing),
            CelError error => throw new ConditionException($"condition '{Definition.Name}': failed to evaluate condition expression: {error.Message}"),
            _ => throw new ConditionException($"condition '{Definition.Name}': expected a bool result, but got '{CelValues.TypeName(result)}'"),
        };
    }
}
