using System.Net;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Features.SingleSignOn.Connections;
using Kastell.Server.Platform.Http.Outbound;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// SSRF: an admin types the issuer, so Kastell's requests to it reach public addresses only. On a host as in
/// production (the loopback switch off): an issuer on this machine, the cloud metadata address, a private network or a
/// name that resolves to loopback cannot be fetched, and nothing is saved. On each provider.
/// </summary>
public abstract class SsoOutboundTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IssuersOnInternalAddresses_CannotBeFetched_AndNothingIsSaved()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var provider = new Uri(OidcTestProvider.Issuer); // a real provider listening on loopback: only the check stands in the way
        var issuers = new[]
        {
            $"https://127.0.0.1:{provider.Port}",
            $"https://[::1]:{provider.Port}",
            $"https://localhost:{provider.Port}",
            $"https://[::ffff:127.0.0.1]:{provider.Port}",
            "https://169.254.169.254",
            "https://[::ffff:169.254.169.254]",
            "https://10.0.0.1",
            "https://192.168.0.1",
            "https://[fd00::1]",
        };
        foreach (var issuer in issuers)
        {
            var response = await org.Owner.Browser.SubmitAsync(SsoFlows.Page(org), "add-oidc", SsoFlows.Form("A", issuer, "c", "s"));
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{issuer}: {(int)response.StatusCode}");
            Assert.Contains("discovery document could not be fetched", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            Assert.Equal(0, await db.Set<SsoConnection>().CountAsync(Ct));
        }
    }

    [Fact]
    public async Task TheDiscoveryClient_DoesNotConnectToTheProviderOnLoopback_WithoutTheSwitch()
    {
        using var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(OidcDiscovery.HttpClientName);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(OidcTestProvider.Issuer + "/.well-known/openid-configuration", Ct));
        Assert.IsType<OutboundAddressRefusedException>(refused.InnerException);
        Assert.False(host.Services.GetRequiredService<IssuerUrls>().AllowsLoopbackHttp);
    }
}

public sealed class SsoOutboundTestsOnSqlite(SqliteHost host) : SsoOutboundTests(host), IClassFixture<SqliteHost>;

public sealed class SsoOutboundTestsOnPostgres(PostgresHost host) : SsoOutboundTests(host), IClassFixture<PostgresHost>;
