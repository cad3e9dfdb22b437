using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Architecture;

/// <summary>
/// The feature contract (docs/adding-a-feature.md), checked on Kastell itself — and, through the samples in
/// <see cref="PlantedViolations"/>, shown to catch each kind of violation, so a rule that silently passes everything fails here.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly ArchitectureRules Kastell = new(typeof(Program).Assembly, "Kastell.Server");
    private static readonly ArchitectureRules Planted = new(typeof(ArchitectureTests).Assembly, PlantedViolations.Root);

    [Fact]
    public void EveryQueryParameterOfAPage_IsReadAsText()
    {
        // A typed [SupplyParameterFromQuery] (int?, Guid?, bool?) makes the framework throw on ?page=x: a 500 instead of
        // the page's own "invalid filter" answer. Twice found by the malformed-input test after a feature shipped.
        var flags = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        var query = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(Microsoft.AspNetCore.Components.ComponentBase).IsAssignableFrom(t))
            .SelectMany(t => t.GetProperties(flags).Select(p => (Type: t, Property: p)))
            .Where(x => x.Property.IsDefined(typeof(Microsoft.AspNetCore.Components.SupplyParameterFromQueryAttribute), inherit: true))
            .ToList();
        Assert.True(query.Count >= 20, $"only {query.Count} query parameters found: the rule would pass on nothing");
        var typed = query
            .Where(x => x.Property.PropertyType != typeof(string) && x.Property.PropertyType != typeof(string[]))
            .Select(x => $"{x.Type.FullName}.{x.Property.Name} ({x.Property.PropertyType.Name})")
            .ToList();
        Assert.True(typed.Count == 0, "Read these as string and parse them in the page: " + string.Join(", ", typed));
    }

    [Fact]
    public void Platform_NeverUsesAFeature() => Assert.Empty(Kastell.PlatformUsesOfFeatures());

    [Fact]
    public void Features_DependOnEachOtherWithoutACycle() => Assert.Empty(Kastell.FeatureCycles());

    [Fact]
    public void Features_WriteOnlyTheirOwnTables() => Assert.Empty(Kastell.ForeignTableWrites());

    [Fact]
    public void TheRules_SeeKastellsFeaturesAndTables()
    {
        // Guards the rules above against passing because they see nothing.
        Assert.Subset(Kastell.FeatureDependencies().Keys.ToHashSet(), new HashSet<string> { "Accounts", "AuditTrail", "Files", "Organizations" });
        var tables = Kastell.Tables();
        Assert.Equal("Accounts", tables[typeof(Kastell.Server.Features.Accounts.Sessions.UserSession)]);
        Assert.Null(tables[typeof(Kastell.Server.Platform.Tenancy.Organization)]);
    }

    [Fact]
    public void PlantedPlatformUseOfAFeature_IsReported() =>
        Assert.Contains(Planted.PlatformUsesOfFeatures(), v => v.Contains("Samples.Platform.Clock uses", StringComparison.Ordinal) && v.EndsWith("Samples.Features.Widgets.Widget", StringComparison.Ordinal));

    [Fact]
    public void PlantedCycle_IsReported() =>
        Assert.Equal(["Gadgets → Widgets → Gadgets"], Planted.FeatureCycles());

    [Fact]
    public void PlantedForeignWrites_AreReported()
    {
        var writes = Planted.ForeignTableWrites().ToList();
        Assert.Contains(writes, w => w.Contains("GadgetCommand writes Widget of the feature Widgets (DbSet`1.Add)", StringComparison.Ordinal));
        Assert.Contains(writes, w => w.Contains("GadgetCommand writes Widget of the feature Widgets (Widget.set_Name)", StringComparison.Ordinal));
        Assert.Contains(writes, w => w.Contains("ExecuteDelete", StringComparison.Ordinal));
        Assert.DoesNotContain(writes, w => w.Contains("WidgetCommand", StringComparison.Ordinal)); // a feature writes its own tables
    }

    [Fact]
    public void EveryFeature_HasOneModule_ListedOnceInProgram()
    {
        var modules = typeof(Program).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(FeatureModule)) && !t.IsAbstract).ToList();
        var program = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Kastell.Server", "Program.cs"));
        foreach (var feature in Kastell.FeatureDependencies().Keys)
        {
            var module = Assert.Single(modules, m => Kastell.FeatureOf(m) == feature);
            Assert.Equal(1, CountOf(program, $"new {module.FullName}()"));
        }
    }

    [Fact]
    public void EveryAuditEvent_LiesInItsBlock_WithATextBesideIt()
    {
        var strings = new Kastell.Server.Platform.Localization.TsvStringLocalizer().Texts;
        Assert.NotEmpty(AuditEventCatalog.All);
        foreach (var type in typeof(Program).Assembly.GetTypes().Where(t => t.GetCustomAttributes(typeof(AuditEventBlockAttribute), false).Length > 0))
        {
            // The text of an event lives in the strings of the area that defines it, so a new feature brings its own.
            var folder = Kastell.FeatureOf(type) is { } feature ? $"{feature}/" : "Localization/";
            foreach (var field in type.GetFields().Where(f => f.FieldType == typeof(AuditEventType)))
            {
                Assert.True(strings.TryGetValue("AuditEvent" + field.Name, out var text), $"AuditEvent{field.Name} has no text");
                Assert.True(text.Source.StartsWith(folder, StringComparison.Ordinal) || folder == "Localization/", $"AuditEvent{field.Name} belongs in {folder}strings.tsv, not {text.Source}");
            }
        }
    }

    [Fact]
    public void PlantedEventOutsideItsBlock_StopsTheCatalog()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AuditEventCatalog.Build(typeof(ArchitectureTests).Assembly));
        Assert.Contains("BadEvents.Stray = 1500 lies outside", error.Message, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kastell.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No Kastell.slnx above the test binaries.");
    }
}

/// <summary>Every endpoint follows the HTTP convention: it has a name (for links, logs and the coming OpenAPI document).</summary>
public sealed class EndpointConventionTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public void EveryEndpoint_HasAName()
    {
        _ = host.Services; // starts the host, so its endpoints exist
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is null) // pages are named by their route
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is null)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/_framework", StringComparison.Ordinal))
            .Where(e => e.Order != int.MaxValue) // the framework's own fallback (static web assets), not one of ours
            .ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.True(e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null, $"{e.RoutePattern.RawText} has no name (.WithName)"));
    }
}
