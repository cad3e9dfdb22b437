using System.Text;
using System.Text.Json.Nodes;
using Kastell.Oscal.Reading;

namespace Kastell.Oscal.Tests.Reading;

public sealed class MalformedInputTests
{
    private const string Metadata = "\"metadata\":{\"title\":\"T\",\"last-modified\":\"2026-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.1.3\"}";

    private static OscalError ReadError(string json, OscalReaderOptions? options = null)
    {
        var result = OscalReader.Read(Encoding.UTF8.GetBytes(json), options);
        Assert.False(result.IsSuccess);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void BsiKernel_WithANumberForAControlId_IsRefusedWithItsPointer()
    {
        var kernel = JsonNode.Parse(TestData.Bytes(TestData.BsiKernel))!;
        kernel["catalog"]!["groups"]![2]!["groups"]![3]!["controls"]![7]!["id"] = 42;

        var error = Assert.Single(OscalReader.Read(Encoding.UTF8.GetBytes(kernel.ToJsonString())).Errors);

        Assert.Equal(OscalErrorCode.WrongType, error.Code);
        Assert.Equal("/catalog/groups/2/groups/3/controls/7/id: expected a string, found a number", error.ToString());
    }

    [Fact]
    public void NistModerate_WithoutAControlTitle_NamesTheMissingMember()
    {
        var moderate = JsonNode.Parse(TestData.Bytes(TestData.NistModerate))!;
        moderate["catalog"]!["groups"]![0]!["controls"]![1]!["controls"]![0]!.AsObject().Remove("title");

        var error = Assert.Single(OscalReader.Read(Encoding.UTF8.GetBytes(moderate.ToJsonString())).Errors);

        Assert.Equal(OscalErrorCode.MissingProperty, error.Code);
        Assert.Equal("/catalog/groups/0/controls/1/controls/0/title", error.Pointer);
    }

    [Theory]
    [InlineData("""{"catalog":{"uuid":"u",METADATA,"groups":{}}}""", OscalErrorCode.WrongType, "/catalog/groups", "expected an array, found an object")]
    [InlineData("""{"catalog":{"uuid":"u",METADATA,"groups":[{"title":"G","controls":[{"id":"a","title":null}]}]}}""", OscalErrorCode.WrongType, "/catalog/groups/0/controls/0/title", "expected a string, found null")]
    [InlineData("""{"catalog":{"uuid":"u",METADATA,"groups":[{"id":"g"}]}}""", OscalErrorCode.MissingProperty, "/catalog/groups/0/title", "required property is missing")]
    [InlineData("""{"catalog":{"uuid":"u","uuid":"v",METADATA}}""", OscalErrorCode.DuplicateProperty, "/catalog/uuid", "the property appears twice in its object")]
    [InlineData("""{"catalog":{"uuid":"u",METADATA,"params":[{"id":"p","values":["a",1]}]}}""", OscalErrorCode.WrongType, "/catalog/params/0/values/1", "expected a string, found a number")]
    [InlineData("""{"profile":{"uuid":"u",METADATA,"imports":[{"href":"x","include-controls":[{"with-child-controls":"maybe"}]}]}}""", OscalErrorCode.InvalidValue, "/profile/imports/0/include-controls/0/with-child-controls", "expected \"yes\" or \"no\", found \"maybe\"")]
    [InlineData("""{"profile":{"uuid":"u",METADATA,"imports":[],"merge":{"as-is":"yes"}}}""", OscalErrorCode.WrongType, "/profile/merge/as-is", "expected true or false, found a string")]
    [InlineData("""{"component-definition":{}}""", OscalErrorCode.UnsupportedDocument, "/component-definition", "component-definition documents are not read; expected a catalog, profile or mapping-collection")]
    [InlineData("""{"something":{}}""", OscalErrorCode.UnsupportedDocument, "", "not an OSCAL catalog, profile or mapping-collection (no such member at the root)")]
    [InlineData("""[]""", OscalErrorCode.WrongType, "", "expected an object, found an array")]
    [InlineData("""{"mapping-collection":{"uuid":"u",METADATA,"mappings":[{"uuid":"m","source-resource":{"type":"catalog","href":"a"},"target-resource":{"type":"catalog","href":"b"},"maps":[{"uuid":"x","relationship":7,"sources":[],"targets":[]}]}]}}""", OscalErrorCode.WrongType, "/mapping-collection/mappings/0/maps/0/relationship", "expected a string or an object, found a number")]
    [InlineData("""{"catalog":{"a/b~c":[1,}}""", OscalErrorCode.InvalidJson, "/catalog/a~1b~0c", null)]
    public void Malformed_IsRefused_WithCodePointerAndMessage(string json, OscalErrorCode code, string pointer, string? message)
    {
        var error = ReadError(json.Replace("METADATA", Metadata, StringComparison.Ordinal));

        Assert.Equal(code, error.Code);
        Assert.Equal(pointer, error.Pointer);
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }
    }

    [Theory]
    [InlineData("{\"catalog\":{\"uuid\":\"u\",")]
    [InlineData("{\"catalog\":{\"uuid\":\"u\",METADATA}} {}")]
    [InlineData("{\"catalog\":{/* comment */}}")]
    [InlineData("{\"catalog\":{\"uuid\":\"\\uZZZZ\"}}")]
    [InlineData("")]
    [InlineData("nul")]
    public void NotWellFormedJson_IsInvalidJson(string json)
    {
        Assert.Equal(OscalErrorCode.InvalidJson, ReadError(json.Replace("METADATA", Metadata, StringComparison.Ordinal)).Code);
    }

    [Fact]
    public void InvalidUtf8InAString_IsInvalidJson()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"catalog\":{\"uuid\":\"..\"}}");
        bytes[20] = 0xFF;

        var error = Assert.Single(OscalReader.Read(bytes).Errors);

        Assert.Equal(OscalErrorCode.InvalidJson, error.Code);
        Assert.Equal("/catalog/uuid", error.Pointer);
    }

    [Fact]
    public void UnknownMembers_AreSkipped_AndAByteOrderMarkIsAllowed()
    {
        var json = "\uFEFF" + """{"$schema":"x","catalog":{"uuid":"u",METADATA,"x-extension":{"deep":[1,2,{"a":null}]},"groups":[{"title":"G","annotations":[],"controls":[{"id":"a","title":"A","future":true}]}]}}""".Replace("METADATA", Metadata, StringComparison.Ordinal);

        var result = OscalReader.Read(Encoding.UTF8.GetBytes(json));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("a", result.Value.Catalog!.Groups[0].Controls[0].Id);
    }

    [Fact]
    public void ExpectedKind_IsChecked()
    {
        var result = OscalReader.ReadProfile(new MemoryStream(TestData.Bytes(TestData.NistBasic)));

        Assert.Equal("expected a profile, found a catalog", Assert.Single(result.Errors).Message);
    }
}
