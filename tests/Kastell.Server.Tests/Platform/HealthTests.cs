using Microsoft.AspNetCore.Mvc.Testing;

namespace Kastell.Server.Tests.Platform;

public sealed class HealthTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Live_AnswersOk()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
