namespace Kastell.Authorization.Language;

/// <summary>
/// A syntax or semantic problem in a model, positioned like OpenFGA reports it: zero-based lines and columns, column
/// end exclusive. <paramref name="ErrorType"/> is OpenFGA's error type (<c>missing-definition</c>,
/// <c>relation-no-entry-point</c>, ...) for semantic errors and null for syntax errors.
/// </summary>
public sealed record ModelError(
    string Message,
    int LineStart,
    int LineEnd,
    int ColumnStart,
    int ColumnEnd,
    string? ErrorType,
    string? Symbol)
{
    /// <summary>The module file the error is in, for modular models.</summary>
    public string? File { get; init; }

    public override string ToString() => $"{File}{(File is null ? "" : ":")}{LineStart}:{ColumnStart}-{LineEnd}:{ColumnEnd} {Message}";
}

/// <summary>Base of the exceptions thrown when a model cannot be accepted; <see cref="Errors"/> holds every problem found.</summary>
public abstract class ModelException(string kind, IReadOnlyList<ModelError> errors)
    : Exception($"{kind}: {errors.Count} error(s): " + string.Join("; ", errors))
{
    public IReadOnlyList<ModelError> Errors { get; } = errors;
}

/// <summary>The DSL or JSON text could not be read.</summary>
public sealed class ModelSyntaxException(IReadOnlyList<ModelError> errors) : ModelException("syntax", errors);

/// <summary>The text was read but the model breaks OpenFGA's semantic rules.</summary>
public sealed class ModelValidationException(IReadOnlyList<ModelError> errors) : ModelException("validation", errors);
