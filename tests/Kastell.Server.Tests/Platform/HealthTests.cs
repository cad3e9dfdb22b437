using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform;

/// <summary>
/// The liveness probe on a host with its own data directory: the default one (<c>data/</c> under the working
/// directory) outlives a test run, so a database left there by an older build would decide the outcome.
/// </summary>
public sealed class HealthTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task Live_AnswersOk()
    {
        using var client = host.CreateClient();
        var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Answered straight after routing (ShortCircuit), yet still with the browser-side baseline of every response.
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.CacheControl?.ToString());
    }
}
