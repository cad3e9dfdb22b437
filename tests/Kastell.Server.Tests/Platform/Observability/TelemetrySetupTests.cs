using Kastell.Server.Platform.Observability;

namespace Kastell.Server.Tests.Platform.Observability;

public sealed class TelemetrySetupTests
{
    [Theory]
    [InlineData("http://collector:4317", true)]
    [InlineData("https://collector.example:4318", true)]
    [InlineData(null, false)]
    [InlineData("collector:4317", false)]
    [InlineData("ftp://collector", false)]
    public void OtlpEndpoint_MustBeAnAbsoluteHttpUrl(string? endpoint, bool valid) =>
        Assert.Equal(valid, !new TelemetryOptionsValidator().Problems(new TelemetryOptions { Enabled = true, OtlpEndpoint = endpoint }).Any());

    [Fact]
    public void TelemetryIsOffByDefault() => Assert.False(new TelemetryOptions().Enabled);
}
