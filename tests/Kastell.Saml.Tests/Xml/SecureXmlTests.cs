using System.Text;
using Kastell.Saml.Xml;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Xml;

public sealed class SecureXmlTests
{
    [Theory]
    [InlineData("2026-12-01T10:00:00Z", true)]
    [InlineData("2026-12-01T10:00:00.123Z", true)]
    [InlineData("2026-12-01T10:00:00.123456789Z", true)]
    [InlineData("2026-12-01T11:00:00+01:00", true)]
    [InlineData("2026-12-01T10:00:00", false)]
    [InlineData("2026-12-01 10:00:00Z", false)]
    [InlineData("tomorrow", false)]
    [InlineData("", false)]
    public void Instants_MustCarryAZone(string text, bool valid)
    {
        Assert.Equal(valid, SecureXml.TryParseInstant(text, out var instant));
        if (valid)
        {
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), instant.AddTicks(-(instant.Ticks % TimeSpan.TicksPerSecond)));
        }
    }

    [Fact]
    public void ReadText_ConcatenatesTextAndCdata_AndRefusesComments()
    {
        var document = Idp.Load("<r><a> x<![CDATA[y]]>z </a><b>x<!--c-->y</b><c>x<d/>y</c></r>");
        var elements = document.DocumentElement!.ChildNodes.OfType<System.Xml.XmlElement>().ToList();

        Assert.Equal(TextRead.Ok, SecureXml.ReadText(elements[0], out var text));
        Assert.Equal("xyz", text);
        Assert.Equal(TextRead.HasMarkup, SecureXml.ReadText(elements[1], out _));
        Assert.Equal(TextRead.HasElements, SecureXml.ReadText(elements[2], out _));
    }

    [Fact]
    public void Load_RefusesDtdsInUtf16Too()
    {
        var xml = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>")).ToArray();
        Assert.Equal(XmlLoadFailure.Dtd, SecureXml.TryLoad(xml, out var document));
        Assert.Null(document);
    }

    [Fact]
    public void Load_RefusesDeepNesting()
    {
        var xml = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", 100)) + string.Concat(Enumerable.Repeat("</a>", 100)));
        Assert.Equal(XmlLoadFailure.TooDeep, SecureXml.TryLoad(xml, out _));
    }

    [Fact]
    public void ForLog_CleansControlCharactersAndShortens()
    {
        Assert.Equal("a?b", SecureXml.ForLog("a\nb"));
        Assert.Equal(121, SecureXml.ForLog(new string('x', 500)).Length);
        Assert.Equal("(none)", SecureXml.ForLog(null));
    }
}
