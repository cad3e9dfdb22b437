using System.Text.Json;
using Kastell.Oscal.Model;
using Kastell.Oscal.Resolution;

namespace Kastell.Oscal.Tests.Resolution;

public sealed class RealProfileResolutionTests
{
    // Where the BSI profile lives upstream does not matter: its three imports are back-matter rlinks relative to it, and
    // the test serves each resolved URI from the copy in tests/data (the upstream folders and the kernel's "-G0" name
    // differ from the flat copy; see tests/data/oscal/bsi/SOURCE.md).
    private static readonly Uri BsiProfileUri = new("https://bsi.invalid/Anwenderkataloge/Grundschutz++/profile/Grundschutz++-profile.json");

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    internal static InMemoryDocumentSource BsiSource()
    {
        var profile = TestData.Profile(TestData.BsiProfile);
        string Rlink(string uuid) => profile.BackMatter!.Resources.Single(r => r.Uuid == uuid).Rlinks.Single().Href;
        return new InMemoryDocumentSource()
            .Add(BsiProfileUri, TestData.Bytes(TestData.BsiProfile))
            .Add(new Uri(BsiProfileUri, Rlink("5fa04faf-937c-48e0-8764-9b2cd55e2170")), TestData.Bytes(TestData.BsiMethod))
            .Add(new Uri(BsiProfileUri, Rlink("d139a8e0-1d74-4e33-ad25-6385c53b4fbe")), TestData.Bytes(TestData.BsiRisk))
            .Add(new Uri(BsiProfileUri, Rlink("41fb0187-c393-4342-827f-173e6323a6c0")), TestData.Bytes(TestData.BsiKernel));
    }

    internal static ProfileResolverOptions Options => new() { TimeProvider = new FixedTime(Now), NewUuid = () => Guid.Parse("00000000-0000-4000-8000-000000000001") };

    [Fact]
    public void GrundschutzPlusPlus_ResolvesOverItsThreeCatalogs_1000Controls()
    {
        var result = ProfileResolver.Resolve(BsiProfileUri, BsiSource(), Options);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Empty(result.Warnings);
        var catalog = result.Value;
        var ids = catalog.AllControls().Select(c => c.Id).ToList();
        var method = TestData.Catalog(TestData.BsiMethod).AllControls().Select(c => c.Id).ToList();
        var kernel = TestData.Catalog(TestData.BsiKernel).AllControls().Select(c => c.Id).ToList();

        Assert.Equal(95 + 4 + 901, ids.Count);
        Assert.Equal([.. method, "RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10", .. kernel], ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.DoesNotContain("RISK.1.2", ids);

        // as-is: the groups of the three catalogs, in import order.
        Assert.Equal("GC", catalog.Groups[0].Id);
        Assert.Contains(catalog.Groups, g => g.Id == "RISK");
        Assert.Equal("ASST", catalog.Groups.SkipWhile(g => g.Id != "RISK").Skip(1).First().Id);
        Assert.Equal(
            TestData.Catalog(TestData.BsiMethod).Groups.Count + 1 + TestData.Catalog(TestData.BsiKernel).Groups.Count,
            catalog.Groups.Count);
    }

    [Fact]
    public void GrundschutzPlusPlus_SetsItsTwoParameters_AndKeepsOnlyReferencedResources()
    {
        var catalog = ProfileResolver.Resolve(BsiProfileUri, BsiSource(), Options).Value!;

        var gc = catalog.AllControls().Single(c => c.Id == "GC.1.1").Params.Single(p => p.Id == "gc.1.1-prm1");
        Assert.Equal("BSI Grundschutz++", gc.Label);
        Assert.Equal(["BSI Grundschutz++"], gc.Values);
        var not = catalog.AllControls().Single(c => c.Id == "NOT.1.1.4").Params.Single(p => p.Id == "not.1.1.4-prm1");
        Assert.Equal(["BSI-Standard 200-4"], not.Values);

        Assert.Equal("Anwenderkatalog Grundschutz++", catalog.Metadata.Title);
        Assert.Equal("1.1.3", catalog.Metadata.OscalVersion);
        Assert.Equal("2026-12-01T12:00:00.0000000Z", catalog.Metadata.LastModified);
        Assert.Equal("00000000-0000-4000-8000-000000000001", catalog.Uuid);
        Assert.Contains(catalog.Metadata.Props, p => p is { Name: "resolution-tool", Value: "Kastell.Oscal" });
        Assert.Contains(catalog.Metadata.Props, p => p.Name == "source-profile" && p.Value == BsiProfileUri.ToString());

        // The profile's metadata links to the IT-Grundschutz resource; the three import resources are referred to by nothing.
        Assert.Equal(["4ecfe5d4-aec3-4a93-8f38-92cd1498d221"], catalog.BackMatter!.Resources.Select(r => r.Uuid));
    }

    [Fact]
    public void NistResolvedBaselines_Parse_149And287Controls()
    {
        Assert.Equal(149, TestData.Catalog(TestData.NistLow).AllControls().Count());
        Assert.Equal(287, TestData.Catalog(TestData.NistModerate).AllControls().Count());
    }

    /// <summary>
    /// NIST's full rev5 catalog is not among the test files, so LOW is derived: a profile selecting, from NIST's
    /// MODERATE resolution, every control id of NIST's LOW resolution. Resolved by Kastell it must equal NIST's LOW.
    /// </summary>
    [Fact]
    public void LowSelectedFromModerate_EqualsNistsLowResolution()
    {
        var low = TestData.Catalog(TestData.NistLow);
        var lowIds = low.AllControls().Select(c => c.Id).ToList();
        var source = new FileSystemDocumentSource(Path.GetDirectoryName(TestData.Path(TestData.NistModerate))!);
        var profile = new Profile
        {
            Uuid = "6d0d4c4a-1b3e-4a4f-9a77-000000000149",
            Metadata = low.Metadata with { Props = [], Links = [] },
            Imports =
            [
                new ProfileImport
                {
                    Href = Path.GetFileName(TestData.NistModerate),
                    IncludeControls = [new ControlSelector { WithIds = lowIds }],
                },
            ],
            Merge = new Merge { AsIs = true },
        };

        var result = ProfileResolver.Resolve(profile, source.UriOf("derived-low_profile.json"), source, Options);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Empty(result.Warnings);
        var derived = result.Value;

        // Control ids and order (depth first), and the groups they sit in.
        Assert.Equal(lowIds, derived.AllControls().Select(c => c.Id));
        Assert.Equal(low.Groups.Select(g => (g.Id, g.Title, g.Controls.Count)), derived.Groups.Select(g => (g.Id, g.Title, g.Controls.Count)));

        // Parameters: ids, labels, values and selections; then the whole control (props, links, parts, params).
        foreach (var (expected, actual) in low.AllControls().Zip(derived.AllControls()))
        {
            Assert.Equal(ParameterKey(expected), ParameterKey(actual));
            Assert.Equal(Json(expected with { Controls = [] }), Json(actual with { Controls = [] }));
        }

        // Back matter: exactly the 135 resources NIST's LOW refers to, in NIST's order.
        Assert.Equal(low.BackMatter!.Resources.Select(r => r.Uuid), derived.BackMatter!.Resources.Select(r => r.Uuid));
        Assert.Equal(Json(low.BackMatter), Json(derived.BackMatter));
    }

    private static string ParameterKey(Control control) => string.Join(
        "\n",
        control.Params.Select(p => $"{p.Id}|{p.Label}|{string.Join(",", p.Values)}|{p.Select?.HowMany}|{string.Join(",", p.Select?.Choice ?? [])}"));

    private static string Json(object value) => JsonSerializer.Serialize(value);

    internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
