using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Tests.Platform.Hosting;

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

    private static KastellCli Cli => KastellCli.For([]);

    [Theory]
    [InlineData("true", 0, "2 passed, 0 failed")] // each single-stage test also runs with its tuples sent as contextual tuples
    [InlineData("false", 1, "0 passed, 2 failed")]
    public async Task AuthzTest_RunsStoreFiles_AndReportsFailuresInTheExitCode(string expected, int exitCode, string lastLine)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("kastell-cli-").FullName, "store.fga.yaml");
        await File.WriteAllTextAsync(file, Store.Replace("EXPECTED", expected, StringComparison.Ordinal), TestContext.Current.CancellationToken);
        using var output = new StringWriter();

        var request = Cli.Parse(["authz", "test", file])!;
        Assert.False(request.NeedsHost);
        var code = await request.RunAsync(services: null, output, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(exitCode, code);
        Assert.Equal(lastLine, output.ToString().TrimEnd().Split('\n')[^1].TrimEnd());
        if (exitCode != 0)
        {
            Assert.Contains("anne-sees-doc", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuthzTest_WithoutFiles_IsAUsageError()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await Cli.Parse(["authz", "test"])!.RunAsync(services: null, output, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("--help", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HostVerbs_NeedTheHost_AndNoVerbRunsTheServer()
    {
        Assert.True(Cli.Parse(["migrate"])!.NeedsHost);
        Assert.Null(Cli.Parse([]));
        Assert.Null(Cli.Parse(["--Kastell:Database:Provider=Postgres"]));
    }

    [Theory]
    [InlineData("migrat")] // a typo must not start the server
    [InlineData("rotate-keys")] // neither --kek nor --organization
    [InlineData("rotate-keys", "--kek", "--organization", "acme")]
    [InlineData("delete-organization")] // --organization is required
    public async Task WrongCommandLines_AreUsageErrors_WithExitCode2(params string[] args)
    {
        using var output = new StringWriter();
        var request = Cli.Parse(args)!;
        Assert.False(request.NeedsHost);
        Assert.Equal(2, await request.RunAsync(services: null, output, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void VerbOptions_AreNotTakenAsConfiguration()
    {
        // Otherwise "--kek" would swallow the following setting as its value.
        Assert.Equal(["--Kastell:Keys:Provider=File"], Cli.Parse(["rotate-keys", "--kek", "--Kastell:Keys:Provider=File"])!.ConfigurationArguments);
        Assert.Equal(["--Kastell:DataDirectory=/srv"], Cli.Parse(["rotate-keys", "--organization", "acme", "--Kastell:DataDirectory=/srv"])!.ConfigurationArguments);
        Assert.Equal(["--Kastell:DataDirectory", "/srv"], Cli.Parse(["verify-audit", "--Kastell:DataDirectory", "/srv"])!.ConfigurationArguments);
    }

    [Fact]
    public async Task Help_ListsEveryVerb()
    {
        using var output = new StringWriter();
        Assert.Equal(0, await Cli.Parse(["help"])!.RunAsync(services: null, output, cancellationToken: TestContext.Current.CancellationToken));
        foreach (var verb in new[] { "migrate", "rotate-keys", "key-status", "verify-audit", "audit-checkpoint", "authz" })
        {
            Assert.Contains(verb, output.ToString(), StringComparison.Ordinal);
        }
    }
}
