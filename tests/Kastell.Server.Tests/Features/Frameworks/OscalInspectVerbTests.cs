using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Tests.Features.Frameworks;

/// <summary><c>oscal inspect</c>: runs without a host or database, shows what an import would bring, imports nothing.</summary>
public sealed class OscalInspectVerbTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KastellCli Cli => KastellCli.For([new Kastell.Server.Features.Frameworks.FrameworksModule()]);

    [Fact]
    public async Task ResolvedProfile_ShowsKindTitleVersionAndItsControls()
    {
        var args = FrameworkImportTests.BsiImport("unused");
        string[] inspect = ["oscal", "inspect", .. args[2..3], .. args[5..]];
        var request = Cli.Parse(inspect)!;
        using var output = new StringWriter();

        Assert.False(request.NeedsHost);
        Assert.Equal(0, await request.RunAsync(services: null, output, cancellationToken: Ct));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("kind: profile", lines[0]);
        Assert.Equal("title: Anwenderkatalog Grundschutz++", lines[1]);
        Assert.StartsWith("version: 2026-07-29", lines[2], StringComparison.Ordinal);
        Assert.Equal("controls: 1000", lines[4]);
        Assert.Equal(1000, lines.Count(l => l.StartsWith("  ", StringComparison.Ordinal)));
        Assert.StartsWith("  GC.1.1\t", lines[5], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MappingCollection_IsDescribed()
    {
        using var output = new StringWriter();

        Assert.Equal(0, await Cli.Parse(["oscal", "inspect", FrameworkImportTests.Data("bsi/ITGS-to-GS++-mapping_collection.json")])!.RunAsync(services: null, output, cancellationToken: Ct));

        Assert.StartsWith("kind: mapping-collection", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("maps: 1185", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedFile_ExitsWith1_NamingThePointer()
    {
        var file = await FrameworkImportTests.WriteAsync("{\"catalog\":{\"uuid\":\"0b7e0c6e-4a4e-4a8e-9b55-1f1d2b0a9c11\",\"metadata\":{\"title\":\"T\",\"last-modified\":\"2026-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.1.3\"},\"groups\":[{\"title\":\"g\",\"controls\":[{\"title\":\"ohne id\"}]}]}}");
        using var output = new StringWriter();

        Assert.Equal(1, await Cli.Parse(["oscal", "inspect", file])!.RunAsync(services: null, output, cancellationToken: Ct));

        Assert.Contains("/catalog/groups/0/controls/0", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oscal", "inspect")]
    [InlineData("oscal", "inspect", "/no/such/file.json")]
    public async Task MissingFile_IsAUsageError(params string[] args)
    {
        using var output = new StringWriter();
        Assert.Equal(2, await Cli.Parse(args)!.RunAsync(services: null, output, cancellationToken: Ct));
    }
}
