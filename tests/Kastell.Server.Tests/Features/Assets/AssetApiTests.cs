using System.Net;
using System.Text;
using System.Text.Json;
using Kastell.Server.Features.Assets;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/assets</c> with a token: creation once per Idempotency-Key, the ETag of a read and
/// If-Match on a replace (428 without, 412 when stale, nothing changed), the inherited needs with their source,
/// cursor pages, strict JSON and the feature's own failures as problem details — and the refusals: no token, another
/// organization, a token limited to another Space, a viewer's token writing, a token without the permission.
/// </summary>
public abstract class AssetApiTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything = ["space:can_read_assets", "space:can_edit_assets", "asset:can_read", "asset:can_edit", "asset:can_delete"];

    [Fact]
    public async Task AnAsset_IsCreatedOnce_ReplacedWithIfMatch_AStaleETagChangesNothing_AndItIsDeleted()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var assets = AssetsPath(owner);
        const string Body = "{\"name\":\"CRM\",\"kind\":\"application\",\"confidentiality\":{\"level\":\"veryHigh\",\"justification\":\"Customer data.\"}}";

        var first = await SendAsync(api, HttpMethod.Post, assets, Body, key: "asset-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await SendAsync(api, HttpMethod.Post, assets, Body, key: "asset-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, assets, Body.Replace("CRM", "ERP", StringComparison.Ordinal), key: "asset-1"), HttpStatusCode.UnprocessableEntity, "api.idempotency-key-reused");
        Assert.Single(await AssetRowsAsync(owner));

        var path = first.Headers.Location!.OriginalString;
        var read = await api.GetAsync(path, Ct);
        var etag = read.Headers.ETag!.Tag;
        using (var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("application", json.RootElement.GetProperty("kind").GetString());
            Assert.Equal("veryHigh", json.RootElement.GetProperty("confidentiality").GetProperty("effective").GetString());
            Assert.Equal("own", json.RootElement.GetProperty("confidentiality").GetProperty("source").GetString());
        }

        const string Change = "{\"name\":\"CRM\",\"kind\":\"service\",\"availability\":{\"level\":\"normal\",\"override\":\"high\",\"overrideJustification\":\"Two data centres.\"}}";
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, Change), (HttpStatusCode)428, "api.precondition-required");
        var updated = await SendAsync(api, HttpMethod.Put, path, Change, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.NotEqual(etag, updated.Headers.ETag!.Tag);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, Change.Replace("service", "data", StringComparison.Ordinal), ifMatch: etag), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        var stored = Assert.Single(await AssetRowsAsync(owner));
        Assert.Equal(AssetKind.Service, stored.Kind);
        Assert.Equal(Kastell.Server.Features.Assets.Inheritance.ProtectionLevel.High, stored.AvailabilityOverride);
        Assert.Equal(updated.Headers.ETag!.Tag, (await api.GetAsync(path, Ct)).Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(path, Ct)).StatusCode);
        await AssertProblemAsync(await api.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.DeleteAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        Assert.Empty(await AssetRowsAsync(owner));
    }

    [Fact]
    public async Task TheList_IsPagedWithAStableCursor_AndAReadShowsTheInheritedNeedWithItsSource()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var app = await AssetsData.CreateAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "App", AssetKind.Application, "High");
        var server = await AssetsData.CreateAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Server", AssetKind.Infrastructure);
        await AssetsData.CreateAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Raum", AssetKind.Physical);
        await AssetsData.DependAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, app, server);
        using var api = Api((await CreateTokenAsync(owner, ["space:can_read_assets", "asset:can_read"])).Secret);
        var assets = AssetsPath(owner);

        using var first = JsonDocument.Parse(await api.GetStringAsync(assets + "?limit=2", Ct));
        Assert.Equal(["App", "Server"], first.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal("high", first.RootElement.GetProperty("items")[1].GetProperty("confidentiality").GetString());
        var cursor = first.RootElement.GetProperty("nextCursor").GetString();
        await AssetsData.CreateAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Später", AssetKind.Data);
        using var second = JsonDocument.Parse(await api.GetStringAsync($"{assets}?limit=2&cursor={cursor}", Ct));
        Assert.Equal(["Raum", "Später"], second.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("nextCursor").ValueKind);

        using var detail = JsonDocument.Parse(await api.GetStringAsync($"{assets}/{server:D}", Ct));
        var confidentiality = detail.RootElement.GetProperty("confidentiality");
        Assert.Equal("normal", confidentiality.GetProperty("level").GetString());
        Assert.Equal("high", confidentiality.GetProperty("effective").GetString());
        Assert.Equal("inherited", confidentiality.GetProperty("source").GetString());
        Assert.Equal(app, confidentiality.GetProperty("inheritedFrom").GetGuid());
        using var appDetail = JsonDocument.Parse(await api.GetStringAsync($"{assets}/{app:D}", Ct));
        Assert.Equal([server], appDetail.RootElement.GetProperty("dependsOn").EnumerateArray().Select(e => e.GetGuid()));

        await AssertProblemAsync(await api.GetAsync(assets + "?cursor=bm9wZQ", Ct), HttpStatusCode.BadRequest, "api.invalid-cursor");
        await AssertProblemAsync(await api.GetAsync(assets + "?limit=0", Ct), HttpStatusCode.BadRequest, "api.invalid-limit");
        await AssertProblemAsync(await api.GetAsync(assets + "?limit=101", Ct), HttpStatusCode.BadRequest, "api.invalid-limit");
    }

    [Theory]
    [InlineData("{\"name\":", "api.invalid-request")]
    [InlineData("{\"name\":\"x\",\"kind\":\"data\",\"admin\":true}", "api.invalid-request")]
    [InlineData("{\"name\":\"x\",\"kind\":\"spaceship\"}", "api.invalid-request")]
    [InlineData("{\"name\":\"x\",\"kind\":3}", "api.invalid-request")]
    [InlineData("{\"name\":\"x\"}", "api.invalid-request")]
    [InlineData("{\"name\":\"x\",\"kind\":\"data\",\"integrity\":{\"level\":\"extreme\"}}", "api.invalid-request")]
    [InlineData("{\"name\":\"\",\"kind\":\"data\"}", "assets.asset-invalid")]
    [InlineData("{\"name\":\"x\",\"kind\":\"data\",\"integrity\":{\"level\":\"high\"}}", "assets.justification-required")]
    [InlineData("{\"name\":\"x\",\"kind\":\"data\",\"integrity\":{\"level\":\"normal\",\"override\":\"high\"}}", "assets.justification-required")]
    [InlineData("{\"name\":\"x\",\"kind\":\"data\",\"owner\":\"user:00000000-0000-0000-0000-000000000001\"}", "assets.owner-invalid")]
    public async Task BadInput_IsAProblemSayingWhat_AndChangesNothing(string body, string code)
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, AssetsPath(owner), body), HttpStatusCode.BadRequest, code);
        var existing = await AssetsData.CreateAsync(Host, owner.OrganizationId, owner.SpaceId, await Tenants.UserIdAsync(Host, owner.User.Email), "Bestand");
        var before = (await AssetRowsAsync(owner)).Single().UpdatedAt;
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, $"{AssetsPath(owner)}/{existing:D}", body, ifMatch: "*"), HttpStatusCode.BadRequest, code);
        Assert.Equal(before, Assert.Single(await AssetRowsAsync(owner)).UpdatedAt);
    }

    [Fact]
    public async Task WrongCallers_AreRefused_AndChangeNothing()
    {
        var victim = await OwnerAsync();
        var victimId = await Tenants.UserIdAsync(Host, victim.User.Email);
        var asset = await AssetsData.CreateAsync(Host, victim.OrganizationId, victim.SpaceId, victimId, "Ziel");
        var nextDoor = await Tenants.CreateSpaceAsync(Host, victim.Browser, victim.User.OrganizationSlug, "Nebenan");
        using var viewerBrowser = Host.CreateBrowser();
        var viewer = await Journeys.SignUpAndEnrolAsync(viewerBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, viewer.Email, OrganizationRole.Member, (victim.SpaceId, SpaceRole.Viewer));
        var viewerToken = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(Host, viewer.Email), ["space:can_read_assets", "asset:can_read"]);
        Assert.Null(viewerToken.Failure);
        // A viewer holds no write permission, so a token cannot carry one either.
        Assert.NotNull((await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(Host, viewer.Email), ["space:can_edit_assets"])).Failure);
        var attacker = await OwnerAsync();
        var foreign = (await CreateTokenAsync(attacker, Everything)).Secret;
        var otherSpace = (await CreateTokenAsync(victim, Everything, [nextDoor])).Secret;
        var readOnly = (await CreateTokenAsync(victim, ["space:can_read_assets", "asset:can_read"])).Secret;
        var before = await DigestAsync(victim);
        var list = AssetsPath(victim);
        var one = $"{list}/{asset:D}";
        const string Body = "{\"name\":\"Forged\",\"kind\":\"data\"}";
        var requests = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, list, null), (HttpMethod.Post, list, Body), (HttpMethod.Get, one, null), (HttpMethod.Put, one, Body), (HttpMethod.Delete, one, null),
        };

        foreach (var (method, path, body) in requests)
        {
            using (var anonymous = Anonymous())
            {
                await AssertProblemAsync(await SendAsync(anonymous, method, path, body, ifMatch: "*"), HttpStatusCode.Unauthorized, "api.unauthenticated");
            }

            using (var api = Api(foreign))
            {
                await AssertProblemAsync(await SendAsync(api, method, path, body, ifMatch: "*"), HttpStatusCode.NotFound, "not-found");
            }

            using (var api = Api(otherSpace))
            {
                await AssertProblemAsync(await SendAsync(api, method, path, body, ifMatch: "*"), HttpStatusCode.NotFound, "not-found");
            }

            if (method != HttpMethod.Get)
            {
                foreach (var token in new[] { viewerToken.Value!.Secret, readOnly })
                {
                    using var api = Api(token);
                    await AssertProblemAsync(await SendAsync(api, method, path, body, ifMatch: "*"), HttpStatusCode.Forbidden, "not-allowed");
                }
            }
        }

        // The attacker's own Space does not reach the victim's asset either.
        using (var api = Api(foreign))
        {
            await AssertProblemAsync(await api.GetAsync($"{AssetsPath(attacker)}/{asset:D}", Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await api.DeleteAsync($"{AssetsPath(attacker)}/{asset:D}", Ct), HttpStatusCode.NotFound, "not-found");
        }

        Assert.Equal(before, await DigestAsync(victim));
    }

    private static string AssetsPath(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/s/akten/assets";

    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, HttpMethod method, string path, string? body, string? key = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (ifMatch is not null && method == HttpMethod.Put)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await api.SendAsync(request, Ct);
    }

    private async Task<List<Asset>> AssetRowsAsync(Owner owner)
    {
        var (scope, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return await db.Set<Asset>().AsNoTracking().ToListAsync(Ct);
        }
    }

    private async Task<string> DigestAsync(Owner owner) =>
        string.Join('\n', (await AssetRowsAsync(owner)).OrderBy(a => a.Id).Select(a => $"{a.Id} {a.Name} {a.Kind} {a.UpdatedAt:O}"));
}

public sealed class AssetApiTestsOnSqlite(SqliteHost host) : AssetApiTests(host), IClassFixture<SqliteHost>;

public sealed class AssetApiTestsOnPostgres(PostgresHost host) : AssetApiTests(host), IClassFixture<PostgresHost>;
