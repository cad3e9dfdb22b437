using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Kastell.Server.Features.Domains;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Domains;

/// <summary>
/// <c>/api/v1/o/{org}/domains</c> against the real DNS server: the whole life of a domain through the API, its problems
/// for bad input, a taken name and unreachable resolvers, and the refusals (no token, a token without the permission, a
/// token of another organization, a domain of another organization) — on each provider.
/// </summary>
public abstract class DomainsApiTests(KastellHost host) : ApiTestBase(host)
{
    private const string Manage = "organization:can_manage_domains";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dnsmasq Dns => ((IDnsHost)Host).Dns;

    [Fact]
    public async Task ADomain_IsAddedVerifiedReadListedAndRemoved_ThroughTheApi()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, [Manage])).Secret);
        var unicode = "straße-" + Guid.NewGuid().ToString("N")[..8] + ".example";
        var ascii = new IdnMapping().GetAscii(unicode);
        var mark = await AuditWatermark.TakeAsync(Host);

        var created = await api.PostAsync(Path(owner), Json(new { name = unicode }), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct));
        var domain = body.RootElement;
        var id = domain.GetProperty("id").GetGuid();
        Assert.Equal($"{Path(owner)}/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(ascii, domain.GetProperty("name").GetString());
        Assert.Equal(unicode, domain.GetProperty("displayName").GetString());
        Assert.Equal("pending", domain.GetProperty("state").GetString());
        Assert.Equal($"_kastell-challenge.{ascii}", domain.GetProperty("recordName").GetString());
        var value = domain.GetProperty("recordValue").GetString()!;

        await AssertProblemAsync(await api.PostAsync($"{Path(owner)}/{id}/verify", null, Ct), HttpStatusCode.UnprocessableEntity, "domain.record-missing");
        Dns.Publish($"_kastell-challenge.{ascii}", value);
        var verified = await api.PostAsync($"{Path(owner)}/{id}/verify", null, Ct);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        using (var json = JsonDocument.Parse(await verified.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("verified", json.RootElement.GetProperty("state").GetString());
            Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("verifiedAt").ValueKind);
        }

        using (var read = JsonDocument.Parse(await api.GetStringAsync($"{Path(owner)}/{id}", Ct)))
        {
            Assert.Equal("verified", read.RootElement.GetProperty("state").GetString());
        }

        using (var list = JsonDocument.Parse(await api.GetStringAsync(Path(owner), Ct)))
        {
            Assert.Equal([ascii], list.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        }

        await AssertProblemAsync(await api.PostAsync(Path(owner), Json(new { name = ascii }), Ct), HttpStatusCode.Conflict, "domain.already-added");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"{Path(owner)}/{id}", Ct)).StatusCode);
        await AssertProblemAsync(await api.GetAsync($"{Path(owner)}/{id}", Ct), HttpStatusCode.NotFound, "not-found");

        var events = (await mark.NewEventsAsync()).Select(e => e.Type).ToList();
        Assert.Contains(DomainEvents.DomainAdded, events);
        Assert.Contains(DomainEvents.DomainVerificationFailed, events);
        Assert.Contains(DomainEvents.DomainVerified, events);
        Assert.Contains(DomainEvents.DomainRemoved, events);
    }

    [Theory]
    [InlineData("{\"name\":\"192.0.2.7\"}", HttpStatusCode.BadRequest, "domain.name-invalid")]
    [InlineData("{\"name\":\"anna@example.org\"}", HttpStatusCode.BadRequest, "domain.name-invalid")]
    [InlineData("{\"name\":\"\"}", HttpStatusCode.BadRequest, "domain.name-invalid")]
    [InlineData("{\"name\":\"co.uk\"}", HttpStatusCode.BadRequest, "domain.public-suffix")]
    [InlineData("{\"name\":\"github.io\"}", HttpStatusCode.BadRequest, "domain.public-suffix")]
    public async Task BadInput_IsAProblem_AndCreatesNothing(string json, HttpStatusCode status, string code)
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, [Manage])).Secret);

        await AssertProblemAsync(await api.PostAsync(Path(owner), new StringContent(json, Encoding.UTF8, "application/json"), Ct), status, code);

        using var list = JsonDocument.Parse(await api.GetStringAsync(Path(owner), Ct));
        Assert.Equal(0, list.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ANameVerifiedByAnotherOrganization_IsAConflict_AndAResolverOutageIsUnavailable()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, [Manage])).Secret);
        var taken = await DomainsData.ClaimTakenElsewhereAsync(Host, owner.OrganizationId);

        await AssertProblemAsync(await api.PostAsync($"{Path(owner)}/{taken.Id}/verify", null, Ct), HttpStatusCode.Conflict, "domain.taken");

        var pending = await DomainsData.AddAsync(Host, owner.OrganizationId);
        Dns.Stop();
        try
        {
            var response = await api.PostAsync($"{Path(owner)}/{pending.Id}/verify", null, Ct);
            await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "domain.resolver-unreachable");
        }
        finally
        {
            Dns.Start();
        }

        using var read = JsonDocument.Parse(await api.GetStringAsync($"{Path(owner)}/{pending.Id}", Ct));
        Assert.Equal("pending", read.RootElement.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, read.RootElement.GetProperty("lastCheckedAt").ValueKind);
    }

    [Fact]
    public async Task NoToken_ATokenWithoutThePermission_AndATokenOfAnotherOrganization_AreRefused()
    {
        var owner = await OwnerAsync();
        var intruder = await OwnerAsync();
        var domain = await DomainsData.AddAsync(Host, owner.OrganizationId);
        Dns.Publish($"_kastell-challenge.{domain.Name}", domain.Challenge);

        using (var anonymous = Anonymous())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Path(owner), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"{Path(owner)}/{domain.Id}/verify", null, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(Path(owner), Json(new { name = DomainsData.UniqueName() }), Ct)).StatusCode);
        }

        using (var narrow = Api((await CreateTokenAsync(owner, ["organization:can_create_space"])).Secret))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await narrow.GetAsync(Path(owner), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await narrow.PostAsync($"{Path(owner)}/{domain.Id}/verify", null, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await narrow.DeleteAsync($"{Path(owner)}/{domain.Id}", Ct)).StatusCode);
        }

        // The intruder's token carries the permission, in its own organization only.
        using (var foreign = Api((await CreateTokenAsync(intruder, [Manage])).Secret))
        {
            var intoVictim = await foreign.GetAsync(Path(owner), Ct);
            Assert.True(intoVictim.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, intoVictim.StatusCode.ToString());
            var verify = await foreign.PostAsync($"{Path(owner)}/{domain.Id}/verify", null, Ct);
            Assert.True(verify.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, verify.StatusCode.ToString());
            Assert.DoesNotContain(domain.Challenge, await verify.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            // Through its own organization's path, the victim's domain does not exist.
            await AssertProblemAsync(await foreign.GetAsync($"{Path(intruder)}/{domain.Id}", Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await foreign.PostAsync($"{Path(intruder)}/{domain.Id}/verify", null, Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await foreign.DeleteAsync($"{Path(intruder)}/{domain.Id}", Ct), HttpStatusCode.NotFound, "not-found");
        }

        using var own = Api((await CreateTokenAsync(owner, [Manage])).Secret);
        using var read = JsonDocument.Parse(await own.GetStringAsync($"{Path(owner)}/{domain.Id}", Ct));
        Assert.Equal("pending", read.RootElement.GetProperty("state").GetString());
    }

    private static string Path(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/domains";

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}

public sealed class DomainsApiTestsOnSqlite(DomainsSqliteHost host) : DomainsApiTests(host), IClassFixture<DomainsSqliteHost>;

public sealed class DomainsApiTestsOnPostgres(DomainsPostgresHost host) : DomainsApiTests(host), IClassFixture<DomainsPostgresHost>;
