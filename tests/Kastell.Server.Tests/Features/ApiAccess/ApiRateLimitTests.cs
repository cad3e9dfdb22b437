using System.Net;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.ApiAccess;

/// <summary>A host with tiny API limits: 3 requests a minute per token, 5 per organization.</summary>
public sealed class ApiRateLimitHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Kastell:Api:RequestsPerMinutePerToken", "3"), new("Kastell:Api:RequestsPerMinutePerOrganization", "5")];
}

/// <summary>Rate limits per token and per organization answer 429 problem details with Retry-After.</summary>
public sealed class ApiRateLimitTests(ApiRateLimitHost host) : ApiTestBase(host), IClassFixture<ApiRateLimitHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATokenOverItsLimit_And_AnOrganizationOverItsLimit_Get429WithRetryAfter()
    {
        var owner = await OwnerAsync();
        using var first = Api((await CreateTokenAsync(owner, ["file:can_read"])).Secret);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await first.GetAsync(owner.FilesPath, Ct)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        var limited = await first.GetAsync(owner.FilesPath, Ct);
        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "api.rate-limited");
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is >= 1 and <= 60);

        // A second token of the same organization has its own 3, but the organization's 5 are shared: 3 were spent above.
        using var second = Api((await CreateTokenAsync(owner, ["file:can_read"])).Secret);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(owner.FilesPath, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(owner.FilesPath, Ct)).StatusCode);
        await AssertProblemAsync(await second.GetAsync(owner.FilesPath, Ct), HttpStatusCode.TooManyRequests, "api.rate-limited");

        // Another organization is not affected.
        var other = await OwnerAsync();
        using var third = Api((await CreateTokenAsync(other, ["file:can_read"])).Secret);
        Assert.Equal(HttpStatusCode.OK, (await third.GetAsync(other.FilesPath, Ct)).StatusCode);
    }
}
