using Kastell.Server.Features.Domains;

namespace Kastell.Server.Tests.Features.Domains;

/// <summary>What counts as a domain that can be claimed, and its one stored form (no database, no DNS).</summary>
public sealed class DomainNamesTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("  Example.COM.  ", "example.com")]
    [InlineData("mail.example.co.uk", "mail.example.co.uk")]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("bücher.de", "xn--bcher-kva.de")]
    [InlineData("XN--BCHER-KVA.DE", "xn--bcher-kva.de")]
    [InlineData("例え.jp", "xn--r8jz45g.jp")]
    [InlineData("www.ck", "www.ck")] // an exception to the wildcard *.ck
    [InlineData("me.github.io", "me.github.io")]
    public void AClaimableName_IsNormalizedToLowerCaseAscii(string input, string expected) =>
        Assert.Equal(expected, DomainNames.Normalize(input).Value);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("example")]
    [InlineData("com")] // a single label: a top-level domain or a host name, never a domain to claim
    [InlineData("192.0.2.1")]
    [InlineData("10.0.0.1.")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8::1")]
    [InlineData("1.2.3")]
    [InlineData("anna@example.com")]
    [InlineData("https://example.com")]
    [InlineData("example.com/path")]
    [InlineData("example.com:443")]
    [InlineData("exa mple.com")]
    [InlineData("-example.com")]
    [InlineData("example-.com")]
    [InlineData("example..com")]
    [InlineData("_dmarc.example.com")]
    [InlineData("*.example.com")]
    [InlineData("exam\u0000ple.com")]
    [InlineData("exam\nple.com")]
    public void NotADomainName_IsRefused(string? input) =>
        Assert.Equal(DomainsErrors.NameInvalid, DomainNames.Normalize(input).Failure);

    [Fact]
    public void Lengths_FollowDns_63PerLabel_253InAll()
    {
        var label63 = new string('a', 63);
        Assert.True(DomainNames.Normalize(label63 + ".example.com").Succeeded);
        Assert.Equal(DomainsErrors.NameInvalid, DomainNames.Normalize(new string('a', 64) + ".example.com").Failure);

        static string OfLength(int total) => string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', total - 195) + ".de";
        Assert.Equal(253, OfLength(253).Length);
        Assert.True(DomainNames.Normalize(OfLength(253)).Succeeded);
        Assert.Equal(DomainsErrors.NameInvalid, DomainNames.Normalize(OfLength(254)).Failure);
        Assert.Equal(DomainsErrors.NameInvalid, DomainNames.Normalize(new string('a', DomainNames.MaxInputLength + 1)).Failure);
    }

    [Theory]
    [InlineData("co.uk")]
    [InlineData("CO.UK.")]
    [InlineData("github.io")]
    [InlineData("foo.ck")] // under the wildcard *.ck
    [InlineData("com.de")]
    [InlineData("co.jp")]
    [InlineData("公司.cn")]
    public void APublicSuffixAlone_IsRefused(string input) =>
        Assert.Equal(DomainsErrors.PublicSuffix, DomainNames.Normalize(input).Failure);

    [Theory]
    [InlineData("anna@example.com", "example.com")]
    [InlineData("Anna.Schmidt@Bücher.DE", "xn--bcher-kva.de")]
    [InlineData("\"odd@name\"@example.org", "example.org")]
    [InlineData("anna@co.uk", null)]
    [InlineData("anna@192.0.2.1", null)]
    [InlineData("no-at-sign", null)]
    [InlineData("@example.com", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void TheDomainOfAnAddress_IsTheNormalizedNameAfterTheLastAt(string? email, string? expected) =>
        Assert.Equal(expected, DomainNames.OfEmail(email));

    [Fact]
    public void ThePublicSuffixList_IsEmbedded_WithItsThousandsOfRules() =>
        Assert.True(PublicSuffixList.Shared.Count > 5000, PublicSuffixList.Shared.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void AnALabel_IsShownInUnicode() => Assert.Equal("bücher.de", DomainNames.Display("xn--bcher-kva.de"));
}
