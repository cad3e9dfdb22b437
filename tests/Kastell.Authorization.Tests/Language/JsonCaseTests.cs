using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

public sealed class JsonTransformerCase
{
    public string Name { get; set; } = string.Empty;

    public string Json { get; set; } = string.Empty;

    public bool Valid { get; set; }

    public string? ErrorMessage { get; set; }

    public override string ToString() => Name;
}

public sealed class JsonValidationCase
{
    public string Name { get; set; } = string.Empty;

    public string Json { get; set; } = string.Empty;

    public List<ExpectedError>? ExpectedErrors { get; set; }

    public override string ToString() => Name;
}

public sealed class ObjectIdCase
{
    public string Name { get; set; } = string.Empty;

    public string ObjectId { get; set; } = string.Empty;

    public bool Valid { get; set; }

    public override string ToString() => Name;
}

/// <summary>OpenFGA's JSON-side cases: JSON to DSL transformation limits, JSON model validation, object ids.</summary>
public sealed class JsonCaseTests
{
    public static IEnumerable<TheoryDataRow<JsonTransformerCase>> TransformerCases() =>
        LanguageCases.ReadYaml<JsonTransformerCase>("json-syntax-transformer-validation-cases.yaml")
            .Select(c => new TheoryDataRow<JsonTransformerCase>(c) { TestDisplayName = "json-syntax-transformer: " + c.Name });

    public static IEnumerable<TheoryDataRow<JsonValidationCase>> ValidationCases() =>
        LanguageCases.ReadYaml<JsonValidationCase>("json-validation-cases.yaml")
            .Select(c => new TheoryDataRow<JsonValidationCase>(c) { TestDisplayName = "json-validation: " + c.Name });

    public static IEnumerable<TheoryDataRow<ObjectIdCase>> ObjectIdCases() =>
        LanguageCases.ReadYaml<ObjectIdCase>("object-id-validation-cases.yaml")
            .Select(c => new TheoryDataRow<ObjectIdCase>(c) { TestDisplayName = "object-id: " + c.Name });

    [Theory]
    [MemberData(nameof(TransformerCases))]
    public void Json_to_dsl_succeeds_or_fails_as_expected(JsonTransformerCase testCase)
    {
        var model = ModelJson.FromJson(testCase.Json);

        if (testCase.ErrorMessage is null)
        {
            // The writer may move direct assignment first in a union or intersection, so compare what was declared.
            var reparsed = ModelParser.ParseSyntaxOnly(ModelDslWriter.Write(model));
            Assert.Equal(
                model.TypeDefinitions.SelectMany(t => t.Relations.Select(r => $"{t.Name}#{r.Name}:{r.DirectlyRelatedUserTypes.Count}")),
                reparsed.TypeDefinitions.SelectMany(t => t.Relations.Select(r => $"{t.Name}#{r.Name}:{r.DirectlyRelatedUserTypes.Count}")));
        }
        else
        {
            var error = Assert.Throws<UnsupportedDslNestingException>(() => ModelDslWriter.Write(model));
            Assert.Equal(testCase.ErrorMessage, error.Message);
        }
    }

    [Theory]
    [MemberData(nameof(ValidationCases))]
    public void Json_model_yields_expected_errors(JsonValidationCase testCase) =>
        ErrorAssert.Matches(testCase.ExpectedErrors, ModelJson.Validate(ModelJson.FromJson(testCase.Json)));

    [Theory]
    [MemberData(nameof(ObjectIdCases))]
    public void Object_id_is_accepted_or_rejected(ObjectIdCase testCase) =>
        Assert.Equal(testCase.Valid, ObjectIdRules.IsValid(testCase.ObjectId));
}
