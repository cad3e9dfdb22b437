using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Outcome of reading a model: the model when there were no errors, otherwise the errors.</summary>
public sealed record ModelParseResult(AuthorizationModel? Model, IReadOnlyList<ModelError> Errors)
{
    public bool IsValid => Model is not null && Errors.Count == 0;
}

/// <summary>Entry point for OpenFGA DSL text (schema 1.1 and modules).</summary>
public static class ModelParser
{
    /// <summary>Parses and validates DSL; throws <see cref="ModelSyntaxException"/> or <see cref="ModelValidationException"/>.</summary>
    public static AuthorizationModel Parse(string dsl)
    {
        var (document, syntaxErrors) = DslParser.Parse(dsl);
        if (document is null)
        {
            throw new ModelSyntaxException(syntaxErrors);
        }

        var validationErrors = DslValidator.Validate(document, dsl);
        if (validationErrors.Count > 0)
        {
            throw new ModelValidationException(validationErrors);
        }

        return DslModelBuilder.Build(document);
    }

    /// <summary>Parses and validates DSL, returning errors as values (syntax errors first; validation only runs on valid syntax).</summary>
    public static ModelParseResult Analyze(string dsl)
    {
        var (document, syntaxErrors) = DslParser.Parse(dsl);
        if (document is null)
        {
            return new ModelParseResult(null, syntaxErrors);
        }

        var validationErrors = DslValidator.Validate(document, dsl);
        return validationErrors.Count > 0
            ? new ModelParseResult(null, validationErrors)
            : new ModelParseResult(DslModelBuilder.Build(document), []);
    }

    /// <summary>
    /// Syntax-only parse, as OpenFGA's DSL-to-JSON transformer does: references to undefined types, relations or
    /// conditions are kept as written. Throws <see cref="ModelSyntaxException"/>.
    /// </summary>
    public static AuthorizationModel ParseSyntaxOnly(string dsl)
    {
        var (document, syntaxErrors) = DslParser.Parse(dsl);
        return document is null ? throw new ModelSyntaxException(syntaxErrors) : DslModelBuilder.Build(document);
    }
}

/// <summary>OpenFGA's authorization-model JSON format.</summary>
public static class ModelJson
{
    public static string ToJson(AuthorizationModel model, bool indented = false) => ModelJsonWriter.Write(model, indented);

    /// <summary>Reads OpenFGA JSON without semantic validation; throws <see cref="ModelSyntaxException"/> on malformed input.</summary>
    public static AuthorizationModel FromJson(string json) => ModelJsonReader.Read(json);

    /// <summary>OpenFGA's semantic rules applied to a model read from JSON (positions are not meaningful there).</summary>
    public static IReadOnlyList<ModelError> Validate(AuthorizationModel model) => DslValidator.Validate(model, string.Empty);
}
