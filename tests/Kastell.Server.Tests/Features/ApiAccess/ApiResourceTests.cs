using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.ApiAccess;

/// <summary>
/// The resources under /api/v1 with a token, and bad input on each kind of request: cursor pagination with a stable
/// order, Idempotency-Key on creation, ETag/If-Match on updates (a stale one changes nothing), strict JSON (malformed,
/// unknown member, wrong type, oversize: problem details saying what, nothing changed), and the audit events with the
/// export's hash fields.
/// </summary>
public abstract class ApiResourceTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything =
    [
        "organization:can_create_space", "organization:can_manage_members", "organization:can_manage_password_policy",
        "organization:can_read_audit", "organization:can_manage_audit_retention", "space:can_upload", "file:can_read", "file:can_delete",
    ];

    [Fact]
    public async Task Files_ArePagedWithAStableCursor_AndTheCursorIsChecked()
    {
        var owner = await OwnerAsync();
        var org = owner.OrganizationId;
        foreach (var name in new[] { "a.txt", "b.txt", "c.txt" })
        {
            await Tenants.StoreFileAsync(Host, org, owner.SpaceId, name, Encoding.UTF8.GetBytes(name));
        }

        using var api = Api((await CreateTokenAsync(owner, ["file:can_read"])).Secret);
        using var first = JsonDocument.Parse(await api.GetStringAsync(owner.FilesPath + "?limit=2", Ct));
        Assert.Equal(["c.txt", "b.txt"], first.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        var cursor = first.RootElement.GetProperty("nextCursor").GetString();
        // A file added now is newer than the cursor: the next page neither repeats nor shifts.
        await Tenants.StoreFileAsync(Host, org, owner.SpaceId, "d.txt", "d"u8.ToArray());
        using var second = JsonDocument.Parse(await api.GetStringAsync($"{owner.FilesPath}?limit=2&cursor={cursor}", Ct));
        Assert.Equal(["a.txt"], second.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("nextCursor").ValueKind);

        await AssertProblemAsync(await api.GetAsync(owner.FilesPath + "?cursor=bm9wZQ", Ct), HttpStatusCode.BadRequest, "api.invalid-cursor");
        await AssertProblemAsync(await api.GetAsync(owner.FilesPath + "?limit=0", Ct), HttpStatusCode.BadRequest, "api.invalid-limit");
        await AssertProblemAsync(await api.GetAsync(owner.FilesPath + "?limit=101", Ct), HttpStatusCode.BadRequest, "api.invalid-limit");
    }

    [Fact]
    public async Task CreatingASpace_WithAnIdempotencyKey_CreatesItOnce()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var spaces = $"/api/v1/o/{owner.User.OrganizationSlug}/spaces";
        var first = await PostJsonAsync(api, spaces, "{\"name\":\"Lieferanten\"}", key: "create-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await PostJsonAsync(api, spaces, "{\"name\":\"Lieferanten\"}", key: "create-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        await AssertProblemAsync(await PostJsonAsync(api, spaces, "{\"name\":\"Andere\"}", key: "create-1"), HttpStatusCode.UnprocessableEntity, "api.idempotency-key-reused");

        using var list = JsonDocument.Parse(await api.GetStringAsync(spaces, Ct));
        Assert.Equal(1, list.RootElement.GetProperty("items").EnumerateArray().Count(s => s.GetProperty("name").GetString() == "Lieferanten"));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(first.Headers.Location!.OriginalString, Ct)).StatusCode);
    }

    [Theory]
    [InlineData("{\"name\":", "api.invalid-request")]
    [InlineData("{\"name\":\"x\",\"admin\":true}", "api.invalid-request")]
    [InlineData("{\"name\":42}", "api.invalid-request")]
    [InlineData("{}", "api.invalid-request")]
    [InlineData("{\"name\":\"\"}", "space.name-invalid")]
    public async Task BadJson_IsAProblemSayingWhat_AndChangesNothing(string body, string code)
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var response = await PostJsonAsync(api, $"/api/v1/o/{owner.User.OrganizationSlug}/spaces", body);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        if (code == "api.invalid-request")
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("detail").GetString()));
        }

        Assert.Equal(1, await SpaceCountAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task AnOversizeBody_OrTheWrongContentType_IsRefused()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var spaces = $"/api/v1/o/{owner.User.OrganizationSlug}/spaces";
        var huge = "{\"name\":\"" + new string('x', 70_000) + "\"}";
        await AssertProblemAsync(await PostJsonAsync(api, spaces, huge), HttpStatusCode.RequestEntityTooLarge, "api.payload-too-large");
        using var text = new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        await AssertProblemAsync(await api.PostAsync(spaces, text, Ct), HttpStatusCode.UnsupportedMediaType, "api.unsupported-media-type");
        Assert.Equal(1, await SpaceCountAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task Updates_NeedIfMatch_AndAStaleETagChangesNothing()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var policy = $"/api/v1/o/{owner.User.OrganizationSlug}/settings/password-policy";
        var read = await api.GetAsync(policy, Ct);
        var etag = read.Headers.ETag!.Tag;
        const string Body = "{\"minimumLength\":14,\"requireUppercase\":false,\"requireLowercase\":false,\"requireDigit\":true,\"requireSymbol\":false,\"historyLength\":3}";

        await AssertProblemAsync(await PutJsonAsync(api, policy, Body, ifMatch: null), (HttpStatusCode)428, "api.precondition-required");
        var updated = await PutJsonAsync(api, policy, Body, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.NotEqual(etag, updated.Headers.ETag!.Tag);

        // The first ETag is stale now: the second update is refused and the policy stays as the first set it.
        await AssertProblemAsync(await PutJsonAsync(api, policy, Body.Replace("14", "20", StringComparison.Ordinal), ifMatch: etag), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        using var now = JsonDocument.Parse(await api.GetStringAsync(policy, Ct));
        Assert.Equal(14, now.RootElement.GetProperty("minimumLength").GetInt32());
        Assert.Equal(updated.Headers.ETag!.Tag, (await api.GetAsync(policy, Ct)).Headers.ETag!.Tag);

        var retention = $"/api/v1/o/{owner.User.OrganizationSlug}/settings/audit-retention";
        var retentionTag = (await api.GetAsync(retention, Ct)).Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.OK, (await PutJsonAsync(api, retention, "{\"days\":400}", retentionTag)).StatusCode);
        await AssertProblemAsync(await PutJsonAsync(api, retention, "{\"days\":10}", retentionTag), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        await AssertProblemAsync(await PutJsonAsync(api, retention, "{\"days\":0}", "*"), HttpStatusCode.BadRequest, "audit.retention-out-of-range");
    }

    [Fact]
    public async Task Invitations_AreCreatedListedAndRevoked_AndMembersListed()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var invitations = $"/api/v1/o/{owner.User.OrganizationSlug}/invitations";
        var email = Journeys.UniqueEmail("api-invited");
        var created = await PostJsonAsync(api, invitations, $"{{\"email\":\"{email}\",\"role\":\"auditor\"}}");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var invitation = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct));
        Assert.Equal("auditor", invitation.RootElement.GetProperty("role").GetString());
        await AssertProblemAsync(await PostJsonAsync(api, invitations, "{\"email\":\"not an address\",\"role\":\"member\"}"), HttpStatusCode.BadRequest, "invitation.email-invalid");
        await AssertProblemAsync(await PostJsonAsync(api, invitations, $"{{\"email\":\"{email}\",\"role\":\"superuser\"}}"), HttpStatusCode.BadRequest, "api.invalid-request");

        using var list = JsonDocument.Parse(await api.GetStringAsync(invitations, Ct));
        var id = Assert.Single(list.RootElement.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"{invitations}/{id}", Ct)).StatusCode);
        await AssertProblemAsync(await api.DeleteAsync($"{invitations}/{id}", Ct), HttpStatusCode.NotFound, "not-found");

        using var members = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/o/{owner.User.OrganizationSlug}/members", Ct));
        Assert.Equal(owner.User.Email, Assert.Single(members.RootElement.GetProperty("items").EnumerateArray()).GetProperty("email").GetString());
    }

    [Fact]
    public async Task AuditEvents_AreFilteredAndPaged_WithTheExportsHashFields()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var events = $"/api/v1/o/{owner.User.OrganizationSlug}/audit-events";
        using var page = JsonDocument.Parse(await api.GetStringAsync(events + "?limit=3", Ct));
        var items = page.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        var sequences = items.Select(i => i.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);
        Assert.All(items, i => Assert.Matches("^[0-9a-f]{64}$", i.GetProperty("hash").GetString()!));
        Assert.Equal(items[0].GetProperty("previousHash").GetString(), items[1].GetProperty("hash").GetString());

        // The same event in the JSON-lines export has the same hash.
        var export = await owner.Browser.Client.GetStringAsync($"/o/{owner.User.OrganizationSlug}/audit/export.jsonl", Ct);
        Assert.Contains(items[1].GetProperty("hash").GetString()!, export, StringComparison.Ordinal);

        using var next = JsonDocument.Parse(await api.GetStringAsync($"{events}?limit=3&cursor={page.RootElement.GetProperty("nextCursor").GetString()}", Ct));
        Assert.All(next.RootElement.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("sequence").GetInt64() < sequences.Min()));
        using var filtered = JsonDocument.Parse(await api.GetStringAsync(events + "?action=SpaceCreated", Ct));
        Assert.All(filtered.RootElement.GetProperty("items").EnumerateArray(), i => Assert.Equal("SpaceCreated", i.GetProperty("type").GetString()));
        await AssertProblemAsync(await api.GetAsync(events + "?from=gestern", Ct), HttpStatusCode.BadRequest, "api.invalid-request");
    }

    private async Task<HttpResponseMessage> PostJsonAsync(HttpClient api, string path, string body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await api.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> PutJsonAsync(HttpClient api, string path, string body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await api.SendAsync(request, Ct);
    }

    private async Task<int> SpaceCountAsync(Guid organization)
    {
        var (scope, db) = Host.OpenDb(organization);
        await using (scope)
        {
            return await db.Spaces.CountAsync(Ct);
        }
    }
}

public sealed class ApiResourceTestsOnSqlite(SqliteHost host) : ApiResourceTests(host), IClassFixture<SqliteHost>;

public sealed class ApiResourceTestsOnPostgres(PostgresHost host) : ApiResourceTests(host), IClassFixture<PostgresHost>;
