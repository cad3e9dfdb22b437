using System.Text.Json.Nodes;
using Kastell.Authorization.Language;

namespace Kastell.Authorization.Tests.Language;

/// <summary>OpenFGA's store test-file cases: valid stores pass, invalid ones report the expected schema errors.</summary>
public sealed class StoreCaseTests
{
    public static IEnumerable<TheoryDataRow<string>> Cases() =>
        System.IO.Directory.GetDirectories(LanguageCases.PathOf("stores"))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .Select(name => new TheoryDataRow<string>(name) { TestDisplayName = $"stores/{name}" });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Store_file_is_accepted_or_rejected_as_expected(string name)
    {
        var folder = LanguageCases.PathOf("stores", name);
        var errorsFile = Path.Combine(folder, "expected_errors.json");

        var errors = StoreFileValidator.Validate(
            File.ReadAllText(Path.Combine(folder, "store.fga.yaml")),
            path => File.Exists(Path.Combine(folder, path)) ? File.ReadAllText(Path.Combine(folder, path)) : null);

        var expected = File.Exists(errorsFile)
            ? JsonNode.Parse(File.ReadAllText(errorsFile))!.AsArray()
                .Select(e => $"{e!["keyword"]} '{e["instancePath"]}' {e["message"]} {e["params"]?["additionalProperty"]}")
            : [];
        Assert.Equal(
            expected.Order(StringComparer.Ordinal),
            errors.Select(e => $"{e.Keyword} '{e.InstancePath}' {e.Message} {e.AdditionalProperty}").Order(StringComparer.Ordinal));
    }
}
