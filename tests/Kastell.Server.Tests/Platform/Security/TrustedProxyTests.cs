using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace Kastell.Server.Tests.Platform.Security;

/// <summary>A host behind one configured reverse proxy (192.0.2.10), with a tiny per-client limit on sign-in posts.</summary>
public sealed class TrustedProxyHost(SmtpSink mail) : SqliteHost(mail)
{
    public const int Limit = 3;
    public const string Proxy = "192.0.2.10";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Kastell:RateLimits:AuthenticationPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Kastell:ForwardedHeaders:KnownProxies", Proxy),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        ClientAddress.Enable(builder);
    }
}

/// <summary>
/// <c>X-Forwarded-For</c> is believed from the configured proxy only: through it every client has its own rate-limit
/// window and its own address in the audit trail; from anyone else — loopback included, which ASP.NET Core trusts by
/// default — the header is ignored and the peer's own address counts, so a client cannot dodge the limit by naming
/// a new address in each request.
/// </summary>
public sealed class TrustedProxyTests(TrustedProxyHost host) : IClassFixture<TrustedProxyHost>
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("198.51.100.20")]
    public async Task ForwardedFor_FromAnUntrustedPeer_IsIgnored_AndTheLimitHolds(string peer)
    {
        using var browser = host.CreateBrowser();
        ClientAddress.MoveTo(browser, peer);
        var statuses = new List<HttpStatusCode>();
        var mark = await AuditWatermark.TakeAsync(host);

        for (var i = 0; i < TrustedProxyHost.Limit + 2; i++)
        {
            ClientAddress.ForwardFor(browser, $"203.0.113.{i + 1}"); // a "new client" every time
            statuses.Add((await Journeys.PasswordStepAsync(browser, Journeys.UniqueEmail("proxy"), "wrong password " + i)).StatusCode);
        }

        Assert.All(statuses.Take(TrustedProxyHost.Limit), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.All(statuses.Skip(TrustedProxyHost.Limit), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        var failures = (await mark.NewEventsAsync()).Where(e => e.Type == AccountEvents.SignInFailed).ToList();
        Assert.Equal(TrustedProxyHost.Limit, failures.Count);
        Assert.All(failures, e => Assert.Equal(IPAddress.Parse(peer).ToString(), e.ClientIp));
    }

    [Fact]
    public async Task ForwardedFor_FromTheTrustedProxy_GivesEachClientItsOwnWindow_AndAddress()
    {
        using var first = host.CreateBrowser();
        ClientAddress.MoveTo(first, TrustedProxyHost.Proxy);
        ClientAddress.ForwardFor(first, "203.0.113.50");
        using var second = host.CreateBrowser();
        ClientAddress.MoveTo(second, TrustedProxyHost.Proxy);
        // A client-supplied entry on the left is not believed: only what the trusted proxy itself appended counts.
        ClientAddress.ForwardFor(second, "198.51.100.99, 203.0.113.51");
        var mark = await AuditWatermark.TakeAsync(host);

        var firstStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < TrustedProxyHost.Limit + 1; i++)
        {
            firstStatuses.Add((await Journeys.PasswordStepAsync(first, Journeys.UniqueEmail("proxied"), "wrong password " + i)).StatusCode);
        }

        var secondStatus = (await Journeys.PasswordStepAsync(second, Journeys.UniqueEmail("proxied"), "wrong password")).StatusCode;

        Assert.Equal(HttpStatusCode.TooManyRequests, firstStatuses[^1]);
        Assert.Equal(HttpStatusCode.OK, secondStatus);
        var addresses = (await mark.NewEventsAsync()).Where(e => e.Type == AccountEvents.SignInFailed).Select(e => e.ClientIp).ToList();
        Assert.Equal(TrustedProxyHost.Limit, addresses.Count(a => a == "203.0.113.50"));
        Assert.Equal(1, addresses.Count(a => a == "203.0.113.51"));
        Assert.DoesNotContain(TrustedProxyHost.Proxy, addresses);
        Assert.DoesNotContain("198.51.100.99", addresses);
    }
}
