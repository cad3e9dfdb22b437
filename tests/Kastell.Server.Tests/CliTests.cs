using Kastell.Server.Platform.Cli;

namespace Kastell.Server.Tests;

public sealed class CliTests
{
    private const string Store = """
        model: |
          model
            schema 1.1
          type user
          type document
            relations
              define viewer: [user]
        tuples:
          - user: user:anne
            relation: viewer
            object: document:1
        tests:
          - name: anne-sees-doc
            check:
              - user: user:anne
                object: document:1
                assertions:
                  viewer: EXPECTED
        """;

    [Theory]
    [InlineData("true", 0, "2 passed, 0 failed")] // each single-stage test also runs with its tuples sent as contextual tuples
    [InlineData("false", 1, "0 passed, 2 failed")]
    public async Task AuthzTest_RunsStoreFiles_AndReportsFailuresInTheExitCode(string expected, int exitCode, string lastLine)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("kastell-cli-").FullName, "store.fga.yaml");
        await File.WriteAllTextAsync(file, Store.Replace("EXPECTED", expected, StringComparison.Ordinal), TestContext.Current.CancellationToken);
        using var output = new StringWriter();

        var code = await CommandLine.TryRunStandaloneAsync(["authz", "test", file], output);

        Assert.Equal(exitCode, code);
        Assert.Equal(lastLine, output.ToString().TrimEnd().Split('\n')[^1].TrimEnd());
        if (exitCode != 0)
        {
            Assert.Contains("anne-sees-doc", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuthzTest_WithoutFiles_ExplainsUsage()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await CommandLine.TryRunStandaloneAsync(["authz", "test"], output));
        Assert.Contains("Usage", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherVerbs_AreLeftToTheHost()
    {
        Assert.Null(await CommandLine.TryRunStandaloneAsync(["migrate"]));
    }

    [Fact]
    public void VerbFlags_AreNotTakenAsConfiguration()
    {
        // Otherwise "--kek" would swallow the following setting as its value.
        Assert.Equal(["rotate-keys", "--Kastell:Keys:Provider=File"], CommandLine.ConfigurationArguments(["rotate-keys", "--kek", "--Kastell:Keys:Provider=File"]));
        Assert.Equal(["--kek"], CommandLine.ConfigurationArguments(["--kek"])); // not a verb: left alone
        Assert.Equal(["rotate-keys", "--Kastell:DataDirectory=/srv"], CommandLine.ConfigurationArguments(["rotate-keys", "--organization", "acme", "--Kastell:DataDirectory=/srv"]));
    }
}
