using Kastell.Authorization.Language;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Tests.Architecture;
using YamlDotNet.RepresentationModel;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>Kastell's composed authorization model: it loads, it refuses bad modules precisely, and its store tests pass.</summary>
public sealed class ModelTests
{
    private static string StoreTests => Path.Combine(ArchitectureTests.RepositoryRoot(), "tests", "authz", "kastell.fga.yaml");

    [Fact]
    public async Task StoreTests_PassThroughTheAuthzTestVerb()
    {
        using var output = new StringWriter();
        var code = await KastellCli.For([]).Parse(["authz", "test", StoreTests])!.RunAsync(services: null, output, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(code == 0, output.ToString());
        Assert.EndsWith("0 failed", output.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRelationOfTheModel_HasAPositiveAndANegativeStoreTest()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(StoreTests)));
        var seen = new HashSet<(string Type, string Relation, string Value)>();
        foreach (var test in (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["tests"])
        {
            if (!((YamlMappingNode)test).Children.TryGetValue("check", out var checks))
            {
                continue;
            }

            foreach (YamlMappingNode check in (YamlSequenceNode)checks)
            {
                var type = ((YamlScalarNode)check["object"]).Value!.Split(':')[0];
                foreach (var (relation, value) in (YamlMappingNode)check["assertions"])
                {
                    seen.Add((type, ((YamlScalarNode)relation).Value!, ((YamlScalarNode)value).Value!));
                }
            }
        }

        var model = new KastellModel().Model;
        var missing = model.TypeDefinitions
            .SelectMany(t => t.Relations.Select(r => (Type: t.Name, Relation: r.Name)))
            .SelectMany(r => new[] { (r.Type, r.Relation, "true"), (r.Type, r.Relation, "false") })
            .Where(c => !seen.Contains(c))
            .Select(c => $"{c.Item1}#{c.Item2} has no {c.Item3} case")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void AnInvalidModule_IsRefused_WithItsFileLineAndColumn()
    {
        var error = Assert.Throws<InvalidOperationException>(() => KastellModel.Combine(
        [
            new ModuleFile("Platform/Authorization/tenancy.fga", "module tenancy\n\ntype user\n"),
            new ModuleFile("Features/Widgets/widgets.fga", "module widgets\n\ntype widget\n  relations\n    define owner: [usr]\n"),
        ]));
        Assert.Contains("Features/Widgets/widgets.fga:5:", error.Message, StringComparison.Ordinal);
        Assert.Contains("usr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FgaMod_ListsEveryModuleFileOfTheSource()
    {
        var source = Path.Combine(ArchitectureTests.RepositoryRoot(), "src", "Kastell.Server");
        var onDisk = Directory.EnumerateFiles(source, "*.fga", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(source, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        var (_, modules) = KastellModel.Read(typeof(Program).Assembly);
        Assert.Equal(onDisk, modules.Select(m => m.Name).Order(StringComparer.Ordinal));
    }
}
