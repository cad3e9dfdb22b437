using Kastell.Authorization.Conditions.Cel;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Conditions;

/// <summary>
/// Evaluates OpenFGA conditions: CEL expressions over typed parameters, with the semantics of OpenFGA's cel-go
/// environment (standard library, <c>ipaddress</c> extension, partial evaluation for absent parameters).
/// Stateless and thread-safe; compile each condition once and reuse the result.
/// </summary>
public sealed class CelConditionEvaluator : IConditionEvaluator
{
    public CompiledCondition Compile(ConditionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var parameters = new Dictionary<string, CelType>(StringComparer.Ordinal);
        foreach (var (name, type) in definition.Parameters)
        {
            try
            {
                parameters[name] = ParameterTypes.ToCelType(type);
            }
            catch (ConditionException e)
            {
                throw new ConditionException($"condition '{definition.Name}': parameter '{name}': {e.Message}");
            }
        }

        CelExpr expr;
        try
        {
            expr = CelParser.Parse(definition.Expression);
            var result = new CelChecker(parameters).Check(expr);
            if (result != CelType.Bool)
            {
                throw new CelCheckException(0, $"expected a bool condition expression output, but got '{result}'");
            }
        }
        catch (CelSyntaxException e)
        {
            throw new ConditionException($"condition '{definition.Name}': syntax error at {Location(definition.Expression, e.Position)}: {e.Message}");
        }
        catch (CelCheckException e)
        {
            throw new ConditionException($"condition '{definition.Name}': type error at {Location(definition.Expression, e.Position)}: {e.Message}");
        }

        return new CelCompiledCondition(definition, expr);
    }

    /// <summary>1-based line and column, as cel-go reports them.</summary>
    private static string Location(string source, int position)
    {
        position = Math.Clamp(position, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < position; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return $"{line}:{position - lineStart + 1}";
    }
}
