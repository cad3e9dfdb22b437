using System.Net;
using System.Text;
using System.Text.Json;
using Kastell.Server.Features.Evidence;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Features.Assets;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Evidence;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/evidence</c> with a token: the list and a read obey the visibility rule (an asset's
/// owner sees its evidence, a plain viewer none — 404 on the item), creation once per Idempotency-Key, a review with
/// If-Match (428 without, 412 when stale) and four eyes, strict JSON and the feature's own failures as problem details,
/// and the refusals: no token, another organization, a token limited to another Space, a viewer's token writing.
/// </summary>
public abstract class EvidenceApiTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything = ["space:can_read_evidence", "space:can_add_evidence", "evidence:can_read", "evidence:can_review"];
    private static readonly string[] Reading = ["space:can_read_evidence", "evidence:can_read"];

    [Fact]
    public async Task TheListAndAReadObeyTheVisibilityRule_CreationIsIdempotent_AndAReviewNeedsIfMatchAndFourEyes()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var miaId = await MemberAsync(owner, OrganizationRole.Member, SpaceRole.Viewer);
        var pia = await MemberAsync(owner, OrganizationRole.Member, SpaceRole.Viewer);
        var admin = await MemberAsync(owner, OrganizationRole.Admin, null);
        var crm = await AssetsData.CreateAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "CRM", owner: $"user:{miaId:D}");
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var list = EvidencePath(owner);
        var body = $"{{\"kind\":\"link\",\"title\":\"Pentest\",\"url\":\"https://pentest.example/r/1\",\"observedFrom\":\"2026-10-01\",\"observedTo\":\"2026-10-31\",\"assets\":[\"{crm:D}\"]}}";

        var first = await SendAsync(api, HttpMethod.Post, list, body, key: "evidence-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await SendAsync(api, HttpMethod.Post, list, body, key: "evidence-1");
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(await RowsAsync(owner));
        var path = first.Headers.Location!.OriginalString;
        using (var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("link", json.RootElement.GetProperty("kind").GetString());
            Assert.Equal("2026-10-01", json.RootElement.GetProperty("observedFrom").GetString());
            Assert.Equal(crm, json.RootElement.GetProperty("assets")[0].GetGuid());
            Assert.Equal("submitted", json.RootElement.GetProperty("state").GetString());
        }

        using (var miaApi = Api((await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.Personal, miaId, Reading)).Value!.Secret))
        {
            Assert.Equal(1, await CountAsync(miaApi, list));
            Assert.Equal(HttpStatusCode.OK, (await miaApi.GetAsync(path, Ct)).StatusCode);
        }

        using (var piaApi = Api((await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.Personal, pia, Reading)).Value!.Secret))
        {
            Assert.Equal(0, await CountAsync(piaApi, list));
            await AssertProblemAsync(await piaApi.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        }

        // Four eyes: the owner submitted it and may not review it, even with a token that carries the permission.
        var etag = (await api.GetAsync(path, Ct)).Headers.ETag!.Tag;
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, path + "/review", "{\"decision\":\"accept\"}", ifMatch: etag), HttpStatusCode.Forbidden, "not-allowed");
        using var adminApi = Api((await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.Personal, admin, Everything)).Value!.Secret);
        await AssertProblemAsync(await SendAsync(adminApi, HttpMethod.Post, path + "/review", "{\"decision\":\"accept\"}"), (HttpStatusCode)428, "api.precondition-required");
        await AssertProblemAsync(await SendAsync(adminApi, HttpMethod.Post, path + "/review", "{\"decision\":\"accept\"}", ifMatch: "\"stale\""), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        await AssertProblemAsync(await SendAsync(adminApi, HttpMethod.Post, path + "/review", "{\"decision\":\"reject\"}", ifMatch: etag), HttpStatusCode.Conflict, "evidence.review-invalid");
        var accepted = await SendAsync(adminApi, HttpMethod.Post, path + "/review", "{\"decision\":\"accept\",\"comment\":\"ok\"}", ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.NotEqual(etag, accepted.Headers.ETag!.Tag);
        Assert.Equal(EvidenceState.Accepted, Assert.Single(await RowsAsync(owner)).State);

        // Cursor pages in creation order.
        for (var n = 0; n < 3; n++)
        {
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(api, HttpMethod.Post, list, $"{{\"kind\":\"note\",\"title\":\"N{n}\",\"note\":\"x\",\"effectiveOn\":\"2026-11-0{n + 1}\"}}")).StatusCode);
        }

        using var page = JsonDocument.Parse(await api.GetStringAsync(list + "?limit=3", Ct));
        Assert.Equal(3, page.RootElement.GetProperty("items").GetArrayLength());
        var cursor = page.RootElement.GetProperty("nextCursor").GetString();
        using var rest = JsonDocument.Parse(await api.GetStringAsync($"{list}?limit=3&cursor={Uri.EscapeDataString(cursor!)}", Ct));
        Assert.Equal("N2", Assert.Single(rest.RootElement.GetProperty("items").EnumerateArray()).GetProperty("title").GetString());
        await AssertProblemAsync(await api.GetAsync(list + "?cursor=nonsense", Ct), HttpStatusCode.BadRequest, "api.invalid-cursor");
    }

    [Theory]
    [InlineData("{\"kind\":", "api.invalid-request")]
    [InlineData("{\"kind\":\"note\",\"title\":\"x\",\"note\":\"x\",\"effectiveOn\":\"2026-11-01\",\"admin\":true}", "api.invalid-request")]
    [InlineData("{\"kind\":\"video\",\"title\":\"x\"}", "api.invalid-request")]
    [InlineData("{\"kind\":\"note\",\"title\":\"x\",\"note\":\"x\",\"effectiveOn\":\"01.11.2026\"}", "api.invalid-request")]
    [InlineData("{\"kind\":\"note\",\"title\":\"\",\"note\":\"x\",\"effectiveOn\":\"2026-11-01\"}", "evidence.title-invalid")]
    [InlineData("{\"kind\":\"link\",\"title\":\"x\",\"url\":\"http://a.example\",\"effectiveOn\":\"2026-11-01\"}", "evidence.link-invalid")]
    [InlineData("{\"kind\":\"link\",\"title\":\"x\",\"url\":\"javascript:alert(1)\",\"effectiveOn\":\"2026-11-01\"}", "evidence.link-invalid")]
    [InlineData("{\"kind\":\"note\",\"title\":\"x\",\"note\":\"x\"}", "evidence.dates-invalid")]
    [InlineData("{\"kind\":\"note\",\"title\":\"x\",\"note\":\"x\",\"observedFrom\":\"2026-11-02\",\"observedTo\":\"2026-11-01\"}", "evidence.dates-invalid")]
    [InlineData("{\"kind\":\"file\",\"title\":\"x\",\"effectiveOn\":\"2026-11-01\"}", "evidence.kind-invalid")]
    [InlineData("{\"kind\":\"note\",\"title\":\"x\",\"note\":\"x\",\"effectiveOn\":\"2026-11-01\",\"controls\":[\"00000000-0000-0000-0000-000000000001\"]}", "evidence.link-target-invalid")]
    public async Task BadInput_IsAProblemSayingWhat_AndChangesNothing(string body, string code)
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, EvidencePath(owner), body), HttpStatusCode.BadRequest, code);
        Assert.Empty(await RowsAsync(owner));
    }

    [Fact]
    public async Task WrongCallers_AreRefused_AndChangeNothing()
    {
        var victim = await OwnerAsync();
        var victimId = await Tenants.UserIdAsync(Host, victim.User.Email);
        var item = await EvidenceData.NoteAsync(Host, victim.OrganizationId, victim.SpaceId, victimId, "Ziel");
        var nextDoor = await Tenants.CreateSpaceAsync(Host, victim.Browser, victim.User.OrganizationSlug, "Nebenan");
        var viewerId = await MemberAsync(victim, OrganizationRole.Member, SpaceRole.Viewer);
        var viewerToken = (await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, viewerId, Reading)).Value!.Secret;
        // A viewer holds no write permission, so a token cannot carry one either.
        Assert.NotNull((await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, viewerId, ["space:can_add_evidence"])).Failure);
        var attacker = await OwnerAsync();
        var foreign = (await CreateTokenAsync(attacker, Everything)).Secret;
        var otherSpace = (await CreateTokenAsync(victim, Everything, [nextDoor])).Secret;
        var readOnly = (await CreateTokenAsync(victim, Reading)).Secret;
        var before = await DigestAsync(victim);
        var list = EvidencePath(victim);
        var one = $"{list}/{item:D}";
        const string Body = "{\"kind\":\"note\",\"title\":\"Forged\",\"note\":\"x\",\"effectiveOn\":\"2026-11-01\"}";
        var requests = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, list, null), (HttpMethod.Post, list, Body), (HttpMethod.Get, one, null), (HttpMethod.Post, one + "/review", "{\"decision\":\"reject\",\"comment\":\"x\"}"),
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
                // The viewer may not read the item at all (404 on its review); the read-only token may, but not review (403).
                using var viewer = Api(viewerToken);
                var refused = await SendAsync(viewer, method, path, body, ifMatch: "*");
                await AssertProblemAsync(refused, path == list ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound, path == list ? "not-allowed" : "not-found");
                using var reader = Api(readOnly);
                await AssertProblemAsync(await SendAsync(reader, method, path, body, ifMatch: "*"), HttpStatusCode.Forbidden, "not-allowed");
            }
        }

        using (var api = Api(foreign))
        {
            await AssertProblemAsync(await api.GetAsync($"{EvidencePath(attacker)}/{item:D}", Ct), HttpStatusCode.NotFound, "not-found");
        }

        Assert.Equal(before, await DigestAsync(victim));
    }

    private async Task<Guid> MemberAsync(Owner owner, OrganizationRole role, SpaceRole? spaceRole)
    {
        using var browser = Host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await Tenants.AddMemberAsync(Host, owner.OrganizationId, user.Email, role, spaceRole is { } r ? (owner.SpaceId, r) : null);
        return await Tenants.UserIdAsync(Host, user.Email);
    }

    private static string EvidencePath(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/s/akten/evidence";

    private static async Task<int> CountAsync(HttpClient api, string list)
    {
        using var json = JsonDocument.Parse(await api.GetStringAsync(list, Ct));
        return json.RootElement.GetProperty("items").GetArrayLength();
    }

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

        if (ifMatch is not null && method == HttpMethod.Post && path.EndsWith("/review", StringComparison.Ordinal))
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await api.SendAsync(request, Ct);
    }

    private async Task<List<EvidenceItem>> RowsAsync(Owner owner)
    {
        var (scope, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return await db.Set<EvidenceItem>().AsNoTracking().ToListAsync(Ct);
        }
    }

    private async Task<string> DigestAsync(Owner owner) =>
        string.Join('\n', (await RowsAsync(owner)).OrderBy(e => e.Id).Select(e => $"{e.Id} {e.Title} {e.State} {e.UpdatedAt:O}"));
}

public sealed class EvidenceApiTestsOnSqlite(SqliteHost host) : EvidenceApiTests(host), IClassFixture<SqliteHost>;

public sealed class EvidenceApiTestsOnPostgres(PostgresHost host) : EvidenceApiTests(host), IClassFixture<PostgresHost>;
