using Kastell.Authorization.Model;

namespace Kastell.Authorization.Conditions;

/// <summary>
/// Compiles CEL conditions of a model once and evaluates them per tuple.
/// Context values are JSON-like, as OpenFGA's <c>google.protobuf.Struct</c>: <c>null</c>, <see cref="bool"/>,
/// <see cref="double"/> (every number), <see cref="string"/>, <see cref="IReadOnlyList{T}"/> of values and
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> of string to value. Parameter types convert them
/// (an <c>int</c> parameter accepts 5.0, a <c>timestamp</c> an RFC 3339 string, an <c>ipaddress</c> a string, ...).
/// </summary>
public interface IConditionEvaluator
{
    /// <summary>Parses and type-checks the expression; throws <see cref="ConditionException"/> on an invalid condition.</summary>
    CompiledCondition Compile(ConditionDefinition definition);
}

/// <summary>A type-checked condition ready for evaluation. Thread-safe.</summary>
public abstract class CompiledCondition
{
    public abstract ConditionDefinition Definition { get; }

    /// <summary>
    /// Evaluates with the tuple's own context merged over the request context (the tuple's values win).
    /// Lists declared parameters absent from both contexts in <see cref="ConditionResult.MissingParameters"/>;
    /// throws <see cref="ConditionException"/> when a value does not fit its parameter type or evaluation fails.
    /// </summary>
    public abstract ConditionResult Evaluate(
        IReadOnlyDictionary<string, object?>? tupleContext,
        IReadOnlyDictionary<string, object?>? requestContext);
}

/// <summary>
/// The outcome of one evaluation, as OpenFGA's <c>EvaluationResult</c>. <see cref="MissingParameters"/> lists, sorted,
/// every declared parameter absent from both contexts. The expression is still evaluated partially (absent parameters
/// are unknown): <see cref="IsMet"/> is true only when the known values already decide the condition, e.g.
/// <c>x &lt; 100 || y &lt; 50</c> with only <c>x = 10</c>. OpenFGA's Check fails whenever parameters are missing;
/// ListObjects and ListUsers fail only when the condition is also not met.
/// </summary>
public readonly record struct ConditionResult(bool IsMet, IReadOnlyList<string> MissingParameters)
{
    public bool HasMissingParameters => MissingParameters.Count > 0;
}

/// <summary>An invalid condition or a failed evaluation; the message is safe to show to the model's author.</summary>
public sealed class ConditionException(string message) : Exception(message);
