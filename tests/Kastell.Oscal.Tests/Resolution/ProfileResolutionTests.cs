using System.Text;
using Kastell.Oscal.Model;
using Kastell.Oscal.Resolution;

namespace Kastell.Oscal.Tests.Resolution;

/// <summary>The resolution rules one at a time, on a small catalog with groups, nested controls and back matter.</summary>
public sealed class ProfileResolutionTests
{
    private const string Metadata = "\"metadata\":{\"title\":\"T\",\"last-modified\":\"2026-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.1.2\"}";

    private static readonly Uri Base = new("https://example.invalid/oscal/");

    private static readonly string CatalogJson = """
        {"catalog":{"uuid":"c",METADATA,
         "params":[{"id":"loose-used"},{"id":"loose-unused"}],
         "groups":[{"id":"ac","title":"Access","controls":[
           {"id":"ac-1","title":"One","params":[{"id":"ac-1_prm","label":"who","values":["old"]}],
            "props":[{"name":"label","value":"AC-1"},{"name":"sort-id","value":"ac-01","class":"x"}],
            "links":[{"href":"#r-used","rel":"reference"}],
            "parts":[{"id":"ac-1_smt","name":"statement","prose":"Do {{ insert: param, ac-1_prm }} and {{ insert: param, loose-used }}","parts":[
               {"id":"ac-1_smt.a","name":"item"},{"id":"ac-1_smt.b","name":"item"}]},{"id":"ac-1_gdn","name":"guidance"}],
            "controls":[{"id":"ac-1.1","title":"One.One","controls":[{"id":"ac-1.1.1","title":"Deep"}]},{"id":"ac-1.2","title":"One.Two"}]},
           {"id":"ac-2","title":"Two"}]},
          {"id":"au","title":"Audit","controls":[{"id":"au-1","title":"Audit one"}]}],
         "back-matter":{"resources":[{"uuid":"r-used","title":"Used"},{"uuid":"r-unused","title":"Unused"},
           {"uuid":"r-keep","title":"Kept","props":[{"name":"keep","value":"always"}]}]}}}
        """.Replace("METADATA", Metadata, StringComparison.Ordinal);

    private static InMemoryDocumentSource Source(params (string Name, string Json)[] documents)
    {
        var source = new InMemoryDocumentSource().Add(new Uri(Base, "catalog.json"), Encoding.UTF8.GetBytes(CatalogJson));
        foreach (var (name, json) in documents)
        {
            source.Add(new Uri(Base, name), Encoding.UTF8.GetBytes(json.Replace("METADATA", Metadata, StringComparison.Ordinal)));
        }

        return source;
    }

    private static OscalResult<Catalog> Resolve(string body, params (string Name, string Json)[] others)
    {
        var profile = "{\"profile\":{\"uuid\":\"p\",METADATA," + body + "}}";
        return ProfileResolver.Resolve(new Uri(Base, "profile.json"), Source([("profile.json", profile), .. others]), RealProfileResolutionTests.Options);
    }

    private static Catalog Resolved(string body, params (string Name, string Json)[] others)
    {
        var result = Resolve(body, others);
        Assert.True(result.IsSuccess, result.ToString());
        return result.Value;
    }

    private static string Ids(Catalog catalog) => string.Join(" ", catalog.AllControls().Select(c => c.Id));

    [Fact]
    public void IncludeAll_Flat_ListsEveryControlWithoutGroupsOrNesting()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-all":{}}]
            """);

        Assert.Equal("ac-1 ac-1.1 ac-1.1.1 ac-1.2 ac-2 au-1", Ids(catalog));
        Assert.Empty(catalog.Groups);
        Assert.All(catalog.Controls, c => Assert.Empty(c.Controls));
    }

    [Fact]
    public void IncludedChild_BringsItsAncestors_AsIs()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-1.1.1"]}]}],"merge":{"as-is":true}
            """);

        Assert.Equal("ac-1 ac-1.1 ac-1.1.1", Ids(catalog));
        Assert.Equal("ac", Assert.Single(catalog.Groups).Id);
        Assert.Equal("ac-1.1.1", catalog.Groups[0].Controls[0].Controls[0].Controls[0].Id);
    }

    [Fact]
    public void ExcludedParent_UpLevelsItsIncludedChildren()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-1"],"with-child-controls":"yes"}],"exclude-controls":[{"with-ids":["ac-1"]}]}],
            "merge":{"as-is":true}
            """);

        Assert.Equal(["ac-1.1", "ac-1.2"], catalog.Groups.Single().Controls.Select(c => c.Id));
        Assert.Equal("ac-1.1.1", catalog.Groups[0].Controls[0].Controls.Single().Id);
    }

    [Fact]
    public void WithChildControls_No_TakesOnlyTheNamedControl_AndGlobsMatch()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-1"],"with-child-controls":"no"},{"matching":[{"pattern":"a?-*"}]}],
                        "exclude-controls":[{"matching":[{"pattern":"*.1*"}]}]}]
            """);

        Assert.Equal("ac-1 ac-1.2 ac-2 au-1", Ids(catalog));
    }

    [Fact]
    public void ImportingTwice_KeepsBoth_WithAWarning_AndUseFirstKeepsTheFirst()
    {
        var keep = Resolve("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-2"]}]},{"href":"catalog.json","include-controls":[{"with-ids":["ac-2","au-1"]}]}]
            """);
        Assert.Equal("ac-2 ac-2 au-1", Ids(keep.Value!));
        Assert.Equal(OscalErrorCode.DuplicateControl, Assert.Single(keep.Warnings).Code);

        var first = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-2"]}]},{"href":"catalog.json","include-controls":[{"with-ids":["ac-2","au-1"]}]}],
            "merge":{"combine":{"method":"use-first"},"as-is":true}
            """);
        Assert.Equal("ac-2 au-1", Ids(first));
        Assert.Equal(["ac", "au"], first.Groups.Select(g => g.Id));
    }

    [Fact]
    public void Custom_BuildsTheProfilesGroups_InTheRequestedOrder()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-all":{}}],
            "merge":{"custom":{"insert-controls":[{"include-controls":[{"with-ids":["au-1"]}]}],
              "groups":[{"id":"mine","title":"Mine","insert-controls":[{"order":"descending","include-controls":[{"matching":[{"pattern":"ac-*"}]}],"exclude-controls":[{"with-ids":["ac-1.1.1"]}]}]},
                        {"title":"Nested","insert-controls":[{"include-controls":[{"with-ids":["ac-1.1"],"with-child-controls":"yes"}]}]}]}}
            """);

        Assert.Equal("au-1", Assert.Single(catalog.Controls).Id);
        Assert.Equal(["ac-2", "ac-1.2", "ac-1.1", "ac-1"], catalog.Groups[0].Controls.Select(c => c.Id));
        Assert.All(catalog.Groups[0].Controls, c => Assert.Empty(c.Controls));
        Assert.Equal("ac-1.1.1", catalog.Groups[1].Controls.Single().Controls.Single().Id);
    }

    [Fact]
    public void SetParameters_ReplaceValueAndLabel_AndAddProps()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-1"]}]}],
            "modify":{"set-parameters":[{"param-id":"ac-1_prm","label":"whom","select":{"how-many":"one","choice":["a","b"]},"props":[{"name":"p","value":"1"}]},
                                        {"param-id":"nowhere","values":["x"]}]}
            """);

        var parameter = catalog.Controls.Single().Params.Single();
        Assert.Equal("whom", parameter.Label);
        Assert.Empty(parameter.Values);
        Assert.Equal(["a", "b"], parameter.Select!.Choice);
        Assert.Equal("p", parameter.Props.Single().Name);
    }

    [Fact]
    public void SetParameter_ForAMissingParameter_Warns()
    {
        var result = Resolve("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-2"]}]}],
            "modify":{"set-parameters":[{"param-id":"nowhere","values":["x"]}]}
            """);

        Assert.True(result.IsSuccess);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(OscalErrorCode.DirectiveMatchedNothing, warning.Code);
        Assert.Contains("nowhere", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alters_RemoveAndAdd_ImplicitlyAndById()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-1"]}]}],
            "modify":{"alters":[{"control-id":"ac-1",
              "removes":[{"by-name":"sort-id"},{"by-id":"ac-1_gdn"}],
              "adds":[{"position":"starting","props":[{"name":"first","value":"1"}]},
                      {"props":[{"name":"last","value":"2"}]},
                      {"position":"after","by-id":"ac-1_smt.a","parts":[{"id":"new","name":"item"}],"props":[{"name":"in-statement","value":"3"}]},
                      {"position":"ending","by-id":"ac-1_prm","props":[{"name":"on-param","value":"4"}]}]}]}
            """);

        var control = catalog.Controls.Single();
        Assert.Equal(["first", "label", "last"], control.Props.Select(p => p.Name));
        Assert.Equal(["ac-1_smt"], control.Parts.Select(p => p.Id));
        Assert.Equal(["ac-1_smt.a", "new", "ac-1_smt.b"], control.Parts[0].Parts.Select(p => p.Id));
        Assert.Equal("in-statement", control.Parts[0].Props.Single().Name);
        Assert.Equal("on-param", control.Params.Single().Props.Single().Name);
    }

    [Fact]
    public void BackMatterAndLooseParameters_AreKeptOnlyWhenReferred()
    {
        var catalog = Resolved("""
            "imports":[{"href":"catalog.json","include-controls":[{"with-ids":["ac-1"]}]}],"merge":{"as-is":true}
            """);

        Assert.Equal(["r-used", "r-keep"], catalog.BackMatter!.Resources.Select(r => r.Uuid));
        Assert.Equal(["loose-used"], catalog.Params.Select(p => p.Id));
        Assert.Equal("1.1.2", catalog.Metadata.OscalVersion);
    }

    [Fact]
    public void ImportThroughBase64Resource_AndThroughAProfile()
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(CatalogJson));
        var middle = """
            {"profile":{"uuid":"m",METADATA,"imports":[{"href":"#embedded","include-controls":[{"with-ids":["au-1","ac-2"]}]}],
             "modify":{"alters":[{"control-id":"au-1","adds":[{"props":[{"name":"from-middle","value":"yes"}]}]}]},
             "back-matter":{"resources":[{"uuid":"embedded","base64":{"filename":"c.json","value":"BASE64"}}]}}}
            """.Replace("BASE64", base64, StringComparison.Ordinal);

        var catalog = Resolved("""
            "imports":[{"href":"#middle","exclude-controls":[{"with-ids":["ac-2"]}]}],
            "back-matter":{"resources":[{"uuid":"middle","rlinks":[{"href":"middle.xml","media-type":"application/oscal.profile+xml"},{"href":"middle.json","media-type":"application/oscal.profile+json"}]}]}
            """, ("middle.json", middle));

        Assert.Equal("au-1", Ids(catalog));
        Assert.Equal("from-middle", catalog.Controls.Single().Props.Single().Name);
    }

    [Fact]
    public void CircularImport_IsRefused_NamingTheChain()
    {
        var a = """{"profile":{"uuid":"a",METADATA,"imports":[{"href":"b.json"}]}}""";
        var b = """{"profile":{"uuid":"b",METADATA,"imports":[{"href":"catalog.json"},{"href":"sub/../a.json"}]}}""";

        var result = Resolve("""
            "imports":[{"href":"a.json","include-all":{}}]
            """, ("a.json", a), ("b.json", b));

        var error = Assert.Single(result.Errors);
        Assert.Equal(OscalErrorCode.ImportCycle, error.Code);
        Assert.Equal("/profile/imports/1/href", error.Pointer);
        Assert.Equal("https://example.invalid/oscal/b.json", error.Document);
        Assert.Equal(
            "circular import: https://example.invalid/oscal/a.json → https://example.invalid/oscal/b.json → https://example.invalid/oscal/a.json",
            error.Message);
    }

    [Fact]
    public void SelfImport_IsRefused()
    {
        var error = Assert.Single(Resolve("""
            "imports":[{"href":"profile.json"}]
            """).Errors);

        Assert.Equal(OscalErrorCode.ImportCycle, error.Code);
    }

    [Fact]
    public void MissingImport_IsRefused_NamingTheHrefAndWhereItWasLookedFor()
    {
        var error = Assert.Single(Resolve("""
            "imports":[{"href":"catalog.json"},{"href":"../elsewhere/missing.json"}]
            """).Errors);

        Assert.Equal(OscalErrorCode.ImportNotFound, error.Code);
        Assert.Equal("/profile/imports/1/href", error.Pointer);
        Assert.Equal("import \"../elsewhere/missing.json\" not found (looked for https://example.invalid/elsewhere/missing.json)", error.Message);
    }

    [Fact]
    public void MissingBackMatterResource_IsRefused()
    {
        var error = Assert.Single(Resolve("""
            "imports":[{"href":"#nothing"}]
            """).Errors);

        Assert.Equal(OscalErrorCode.ImportNotFound, error.Code);
        Assert.Equal("import \"#nothing\" not found: no back-matter resource with uuid nothing", error.Message);
    }

    [Fact]
    public void MalformedImport_IsRefused_WithTheInnerPointer()
    {
        var error = Assert.Single(Resolve("""
            "imports":[{"href":"broken.json"}]
            """, ("broken.json", """{"catalog":{"uuid":"x",METADATA,"controls":[{"id":1}]}}""")).Errors);

        Assert.Equal(OscalErrorCode.ImportInvalid, error.Code);
        Assert.EndsWith("cannot be read: /catalog/controls/0/id: expected a string, found a number", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"merge\":{\"as-is\":true,\"flat\":{}}", "/profile/merge")]
    [InlineData("\"merge\":{\"combine\":{\"method\":\"merge\"}}", "/profile/merge/combine/method")]
    public void UndefinedMerges_AreRefused(string merge, string pointer)
    {
        var error = Assert.Single(Resolve("\"imports\":[{\"href\":\"catalog.json\"}]," + merge).Errors);

        Assert.Equal(OscalErrorCode.InvalidMerge, error.Code);
        Assert.Equal(pointer, error.Pointer);
    }

    [Fact]
    public void ImportsMultiplyingControls_StopAtTheControlLimit()
    {
        // Each layer imports the one below three times: 3^12 copies of six controls without the limit.
        var layers = new List<(string, string)>();
        for (var i = 0; i < 12; i++)
        {
            var below = i == 0 ? "catalog.json" : $"layer{i - 1}.json";
            layers.Add(($"layer{i}.json", $$$"""{"profile":{"uuid":"l{{{i}}}",METADATA,"imports":[{"href":"{{{below}}}"},{"href":"{{{below}}}"},{"href":"{{{below}}}"}]}}"""));
        }

        var result = Resolve("\"imports\":[{\"href\":\"layer11.json\"}]", [.. layers]);

        Assert.Equal(OscalErrorCode.TooManyControls, Assert.Single(result.Errors).Code);
    }

    /// <summary>
    /// A complexity guard, not a benchmark: merging groups, deduplicating resources and matching a pattern of 200,000
    /// stars were quadratic once, which made this input run for many minutes; linear, it takes about a second.
    /// </summary>
    [Fact]
    public void TwoHundredThousandGroupsAndALongPattern_ResolveInLinearTime()
    {
        var big = new StringBuilder("{\"catalog\":{\"uuid\":\"b\",METADATA,\"groups\":[");
        for (var i = 0; i < 200_000; i++)
        {
            big.Append(i == 0 ? "" : ",").Append($"{{\"id\":\"g{i}\",\"title\":\"G\",\"controls\":[{{\"id\":\"c-{i}\",\"title\":\"C\"}}]}}");
        }

        big.Append("],\"back-matter\":{\"resources\":[");
        for (var i = 0; i < 100_000; i++)
        {
            big.Append(i == 0 ? "" : ",").Append($"{{\"uuid\":\"r{i % 50_000}\",\"props\":[{{\"name\":\"keep\",\"value\":\"always\"}}]}}");
        }

        big.Append("]}}}");
        var stars = new string('*', 200_000) + "x";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var catalog = Resolved(
            "\"imports\":[{\"href\":\"big.json\",\"include-all\":{}},{\"href\":\"big.json\",\"include-controls\":[{\"matching\":[{\"pattern\":\"" + stars + "\"}]}]}],\"merge\":{\"as-is\":true}",
            ("big.json", big.ToString()));

        Assert.Equal(200_000, catalog.Groups.Count);
        Assert.Equal(50_000, catalog.BackMatter!.Resources.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void FileSystemSource_ServesNothingOutsideItsRoot()
    {
        var source = new FileSystemDocumentSource(Path.GetDirectoryName(TestData.Path(TestData.NistLow))!);

        Assert.NotNull(source.Open(source.UriOf("basic-catalog.json")));
        Assert.Null(source.Open(new Uri(source.UriOf("basic-catalog.json"), "../bsi/LICENSE")));
        Assert.Null(source.Open(new Uri("https://example.invalid/basic-catalog.json")));
    }
}
