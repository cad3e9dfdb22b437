using Kastell.Server.Platform.Http;

namespace Kastell.Server.Tests.Platform.Http;

public sealed class LocalUrlsTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/o/acme/members?page=2", true)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("", false)]
    [InlineData("/a\r\nSet-Cookie: x=y", false)]
    [InlineData("/a\u0000", false)]
    [InlineData("/a\u007f", false)]
    [InlineData("/a\u0085", false)]
    public void IsLocal_OnlyPathsOfThisSite_WithoutControlCharacters(string url, bool local) =>
        Assert.Equal(local, LocalUrls.IsLocal(url));

    [Theory]
    [InlineData("/o/straße", "/o/stra%C3%9Fe")]
    [InlineData("/a\u202eb", "/a%E2%80%AEb")]
    [InlineData("/already%20escaped", "/already%20escaped")]
    public void OrDefault_PercentEncodesWhatIsNotAscii_SoTheLocationHeaderCanCarryIt(string url, string expected) =>
        Assert.Equal(expected, LocalUrls.OrDefault(url));
}
