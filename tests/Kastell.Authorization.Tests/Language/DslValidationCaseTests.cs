using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

/// <summary>OpenFGA's DSL syntax and semantic validation cases: each must yield exactly the expected errors.</summary>
public sealed class DslValidationCaseTests
{
    public static IEnumerable<TheoryDataRow<DslCase>> SyntaxCases() => Rows("dsl-syntax-validation-cases.yaml");

    public static IEnumerable<TheoryDataRow<DslCase>> SemanticCases() => Rows("dsl-semantic-validation-cases.yaml");

    private static IEnumerable<TheoryDataRow<DslCase>> Rows(string file) =>
        LanguageCases.ReadYaml<DslCase>(file).Select((c, i) => new TheoryDataRow<DslCase>(c)
        {
            TestDisplayName = $"{file}[{i}]: {c.Name}",
            Skip = c.Skip ? "marked skip in OpenFGA's case file" : null,
        });

    [Theory]
    [MemberData(nameof(SyntaxCases))]
    public void Syntax_case_yields_expected_errors(DslCase testCase) =>
        ErrorAssert.Matches(testCase.ExpectedErrors, ModelParser.Analyze(testCase.Dsl).Errors);

    [Theory]
    [MemberData(nameof(SemanticCases))]
    public void Semantic_case_yields_expected_errors(DslCase testCase) =>
        ErrorAssert.Matches(testCase.ExpectedErrors, ModelParser.Analyze(testCase.Dsl).Errors);
}
