using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kastell.Server.Features.Assets;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>
/// <c>POST /api/v1/o/{org}/s/{space}/assets/import</c>: the file as the body, a dry run that changes nothing, an
/// import all or nothing (once per Idempotency-Key), every bad row as a problem with its row and column, and the
/// refusals: the wrong media type, a file too large, no token, a cookie instead of a token, a read-only token.
/// (Another organization's token and a token of another Space: the API attack matrix.)
/// </summary>
public abstract class AssetImportApiTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string File = "name,kind,integrity,integrity_justification,depends_on\nERP,Application,High,Bookkeeping,DB\nDB,Infrastructure,,,\n";

    [Fact]
    public async Task ADryRunChangesNothing_TheImportCreatesEverythingOnce_AndBadRowsAreListed()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, ["space:can_edit_assets"])).Secret);
        var mark = await AuditWatermark.TakeAsync(Host);

        var dry = await PostAsync(api, Path(owner) + "?dryRun=true", File, "text/csv");
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        using (var json = JsonDocument.Parse(await dry.Content.ReadAsStringAsync(Ct)))
        {
            Assert.False(json.RootElement.GetProperty("imported").GetBoolean());
            Assert.Equal(2, json.RootElement.GetProperty("assets").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("dependencies").GetInt32());
        }

        Assert.Empty(await AssetsAsync(owner));
        Assert.DoesNotContain(await mark.NewEventsAsync(), e => e.Type == AssetEvents.AssetsImported || e.Type == AssetEvents.AssetCreated);

        var done = await PostAsync(api, Path(owner), File, "text/csv; charset=utf-8", key: "import-1");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        List<Guid> ids;
        using (var json = JsonDocument.Parse(await done.Content.ReadAsStringAsync(Ct)))
        {
            Assert.True(json.RootElement.GetProperty("imported").GetBoolean());
            ids = [.. json.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetGuid())];
        }

        var stored = await AssetsAsync(owner);
        Assert.Equal(ids.Order(), stored.Select(a => a.Id).Order());
        var replay = await PostAsync(api, Path(owner), File, "text/csv", key: "import-1");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, (await AssetsAsync(owner)).Count);
        var imported = Assert.Single(await mark.NewEventsAsync(), e => e.Type == AssetEvents.AssetsImported);
        Assert.Equal(Kastell.Server.Platform.Audit.AuditActorKind.ApiToken, imported.ActorKind);

        // The same file again: both names exist now; every row is listed, nothing is created.
        var again = await PostAsync(api, Path(owner), File, "text/csv");
        await AssertProblemAsync(again, HttpStatusCode.UnprocessableEntity, "assets.import-rows-invalid");
        using (var json = JsonDocument.Parse(await again.Content.ReadAsStringAsync(Ct)))
        {
            var problems = json.RootElement.GetProperty("problems").EnumerateArray().ToList();
            Assert.Equal([2, 3], problems.Select(p => p.GetProperty("row").GetInt32()));
            Assert.All(problems, p => Assert.Equal("name", p.GetProperty("column").GetString()));
            Assert.Equal("This space already has an asset of this name", problems[0].GetProperty("problem").GetString());
            Assert.Equal("ERP", problems[0].GetProperty("value").GetString());
        }

        Assert.Equal(2, (await AssetsAsync(owner)).Count);
    }

    [Fact]
    public async Task WrongRequestsAndCallers_AreRefused_AndChangeNothing()
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, ["space:can_edit_assets"])).Secret);
        using var readOnly = Api((await CreateTokenAsync(owner, ["space:can_read_assets"])).Secret);

        await AssertProblemAsync(await PostAsync(api, Path(owner), "{\"name\":\"x\"}", "application/json"), HttpStatusCode.UnsupportedMediaType, "api.unsupported-media-type");
        await AssertProblemAsync(await PostAsync(api, Path(owner) + "?dryRun=maybe", File, "text/csv"), HttpStatusCode.BadRequest, "api.invalid-request");
        var tooLarge = "name,kind\n" + string.Concat(Enumerable.Repeat("A very long asset name of many many characters,Data\n", 45_000));
        await AssertProblemAsync(await PostAsync(api, Path(owner), tooLarge, "text/csv"), HttpStatusCode.RequestEntityTooLarge, "assets.import-file-too-large");
        await AssertProblemAsync(await PostAsync(api, Path(owner), "", "text/csv"), HttpStatusCode.BadRequest, "assets.import-file-invalid");
        await AssertProblemAsync(await PostAsync(readOnly, Path(owner), File, "text/csv"), HttpStatusCode.Forbidden, "not-allowed");
        using var anonymous = Anonymous();
        await AssertProblemAsync(await PostAsync(anonymous, Path(owner), File, "text/csv"), HttpStatusCode.Unauthorized, "api.unauthenticated");
        // A signed-in browser's cookie does not authenticate the API.
        using var cookie = new ByteArrayContent(Encoding.UTF8.GetBytes(File));
        cookie.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        await AssertProblemAsync(await owner.Browser.Client.PostAsync(Path(owner), cookie, Ct), HttpStatusCode.Unauthorized, "api.unauthenticated");

        Assert.Empty(await AssetsAsync(owner));
    }

    private static string Path(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/s/akten/assets/import";

    private static async Task<HttpResponseMessage> PostAsync(HttpClient api, string path, string body, string contentType, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await api.SendAsync(request, Ct);
    }

    private async Task<List<Asset>> AssetsAsync(Owner owner)
    {
        var (scope, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return await db.Assets.AsNoTracking().Where(a => a.SpaceId == owner.SpaceId).ToListAsync(Ct);
        }
    }
}

public sealed class AssetImportApiTestsOnSqlite(SqliteHost host) : AssetImportApiTests(host), IClassFixture<SqliteHost>;

public sealed class AssetImportApiTestsOnPostgres(PostgresHost host) : AssetImportApiTests(host), IClassFixture<PostgresHost>;
