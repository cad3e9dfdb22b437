using Kastell.Oscal.Model;

namespace Kastell.Oscal.Tests.Reading;

public sealed class RealFileReadingTests
{
    [Fact]
    public void BsiKernel_Reads_901Controls()
    {
        var catalog = TestData.Catalog(TestData.BsiKernel);

        Assert.Equal(901, catalog.AllControls().Count());
        Assert.Equal("ASST.1.1", catalog.AllControls().First().Id);
        Assert.Equal("BSI Stand der Technik Kernel", catalog.Metadata.Title);
        Assert.Equal("1.1.3", catalog.Metadata.OscalVersion);
    }

    [Fact]
    public void BsiMethodAndRisk_Read_95And10Controls()
    {
        Assert.Equal(95, TestData.Catalog(TestData.BsiMethod).AllControls().Count());
        Assert.Equal(10, TestData.Catalog(TestData.BsiRisk).AllControls().Count());
    }

    [Fact]
    public void NistResolvedBaselines_Read_149And287Controls()
    {
        var low = TestData.Catalog(TestData.NistLow);
        var moderate = TestData.Catalog(TestData.NistModerate);

        Assert.Equal(149, low.AllControls().Count());
        Assert.Equal(287, moderate.AllControls().Count());
        Assert.Equal(18, moderate.Groups.Count);
        Assert.Equal(147, moderate.BackMatter!.Resources.Count);
        var ac1 = moderate.AllControls().Single(c => c.Id == "ac-1");
        var odp3 = ac1.Params.Single(p => p.Id == "ac-01_odp.03");
        Assert.Equal("one-or-more", odp3.Select!.HowMany);
        Assert.Equal(["organization-level", "mission/business process-level", "system-level"], odp3.Select.Choice);
    }

    [Fact]
    public void BsiProfile_Reads_ImportsMergeAndSettings()
    {
        var profile = TestData.Profile(TestData.BsiProfile);

        Assert.Equal(3, profile.Imports.Count);
        Assert.True(profile.Imports[0].IncludeAll);
        Assert.Equal(["RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10"], profile.Imports[1].IncludeControls[0].WithIds);
        Assert.False(profile.Imports[1].IncludeControls[0].WithChildControls);
        Assert.True(profile.Merge!.AsIs);
        Assert.Equal(["gc.1.1-prm1", "not.1.1.4-prm1"], profile.Modify!.SetParameters.Select(s => s.ParamId));
        Assert.Equal(4, profile.BackMatter!.Resources.Count);
    }

    [Fact]
    public void NistModerateProfile_Reads_287Ids()
    {
        var profile = TestData.Profile(TestData.NistModerateProfile);

        Assert.Equal(287, profile.Imports.Single().IncludeControls.Single().WithIds.Count);
        Assert.Equal(3, profile.BackMatter!.Resources.Single().Rlinks.Count);
    }

    [Fact]
    public void ItgsToGsppMapping_Reads_1185Maps()
    {
        var mapping = TestData.Read(TestData.BsiMapping).MappingCollection!;

        Assert.Equal(2, mapping.Mappings.Count);
        Assert.Equal([1013, 172], mapping.Mappings.Select(m => m.Maps.Count));
        var all = mapping.Mappings.SelectMany(m => m.Maps).ToList();
        Assert.Equal(1185, all.Count);
        Assert.Equal(464, all.Count(m => m.Relationship == MappingRelationships.SubsetOf));
        Assert.Equal(395, all.Count(m => m.Relationship == MappingRelationships.IntersectsWith));
        Assert.Equal(187, all.Count(m => m.Relationship == MappingRelationships.SupersetOf));
        Assert.Equal(118, all.Count(m => m.Relationship == MappingRelationships.EquivalentTo));
        Assert.Equal(21, all.Count(m => m.Relationship == MappingRelationships.EqualTo));
        Assert.All(all, m => Assert.True(MappingRelationships.IsDefined(m.Relationship)));
        var first = mapping.Mappings[0].Maps[0];
        Assert.Equal("APP.3.6.A1-UA.2", first.Sources.Single().IdRef);
        Assert.Equal("ARCH.1.1", first.Targets.Single().IdRef);
        Assert.Equal("control", first.Targets.Single().Type);
        Assert.Equal("semantic", mapping.Provenance!.MatchingRationale);
    }
}
