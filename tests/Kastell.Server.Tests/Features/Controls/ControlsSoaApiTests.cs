using System.Net;
using System.Text;
using System.Text.Json;
using Kastell.Server.Features.Controls;
using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Controls;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/frameworks/{framework}</c> and <c>…/soa/{framework}/requirements/{requirement}</c>
/// with a token: a framework of the library adopted once per Idempotency-Key, read and ended (the pages' commands and
/// permission); a line of the statement of applicability read with its ETag and decided with the page's rules (a
/// justification either way), a decided line changed only with If-Match (428 without, 412 when stale, nothing changed);
/// and the refusals: no token, another organization, a token limited to another Space, a read-only token, a viewer's
/// and an editor's token where the model says no, bad input, a framework or requirement that is not the Space's (404).
/// Feature events carry the token as their actor.
/// </summary>
public abstract class ControlsSoaApiTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything = ["space:can_read_controls", "space:can_edit_controls", "space:can_adopt_frameworks"];

    [Fact]
    public async Task AFramework_IsAdoptedOncePerKey_Read_Ended_AndAdoptedAgain_WithTheTokenAsActor()
    {
        var owner = await OwnerAsync();
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"));
        var nist = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 800-53", "5", ("ac-1", "Policy"));
        var token = await CreateTokenAsync(owner, Everything);
        using var api = Api(token.Secret);
        var frameworks = SpacePath(owner) + "/frameworks";
        var mark = await AuditWatermark.TakeAsync(Host);

        var body = $"{{\"framework\":\"{iso:D}\"}}";
        var first = await SendAsync(api, HttpMethod.Post, frameworks, body, key: "adopt-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"{frameworks}/{iso:D}", first.Headers.Location!.OriginalString);
        using (var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal(iso, json.RootElement.GetProperty("frameworkId").GetGuid());
            Assert.Equal("2022", json.RootElement.GetProperty("version").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("requirements").GetInt32());
            Assert.Equal(0, json.RootElement.GetProperty("decided").GetInt32());
        }

        var again = await SendAsync(api, HttpMethod.Post, frameworks, body, key: "adopt-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, frameworks, $"{{\"framework\":\"{nist:D}\"}}", key: "adopt-1"), HttpStatusCode.UnprocessableEntity, "api.idempotency-key-reused");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, frameworks, body), HttpStatusCode.Conflict, "controls.already-adopted");
        Assert.Single(await RowsAsync<FrameworkAdoption>(owner));

        using (var read = JsonDocument.Parse(await api.GetStringAsync(first.Headers.Location, Ct)))
        {
            Assert.Equal("Hausnorm 27001", read.RootElement.GetProperty("title").GetString());
        }

        await AssertProblemAsync(await api.GetAsync($"{frameworks}/{nist:D}", Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.DeleteAsync($"{frameworks}/{nist:D}", Ct), HttpStatusCode.NotFound, "not-found");

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(first.Headers.Location, Ct)).StatusCode);
        var ended = Assert.Single(await RowsAsync<FrameworkAdoption>(owner));
        Assert.NotNull(ended.EndedAt);
        Assert.Equal($"apitoken:{token.Id}", ended.EndedBy);
        await AssertProblemAsync(await api.GetAsync(first.Headers.Location, Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.DeleteAsync(first.Headers.Location, Ct), HttpStatusCode.NotFound, "not-found");
        using (var list = JsonDocument.Parse(await api.GetStringAsync(frameworks, Ct)))
        {
            Assert.Empty(list.RootElement.EnumerateArray());
        }

        // Adopted again: a new adoption beside the ended one, which stays as history.
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(api, HttpMethod.Post, frameworks, body, key: "adopt-2")).StatusCode);
        var adoptions = await RowsAsync<FrameworkAdoption>(owner);
        Assert.Equal(2, adoptions.Count);
        Assert.Single(adoptions, a => a.EndedAt is null);

        var written = (await mark.NewEventsAsync()).Where(e => e.OrganizationId == owner.OrganizationId && OfControls(e.Type)).OrderBy(e => e.Sequence).ToList();
        Assert.Equal([ControlEvents.FrameworkAdopted, ControlEvents.FrameworkAdoptionEnded, ControlEvents.FrameworkAdopted], written.Select(e => e.Type));
        Assert.All(written, e => Assert.True(e.ActorKind == AuditActorKind.ApiToken && e.ActorId == token.Id.ToString(), $"{e.Type}: {e.ActorKind} {e.ActorId}"));
    }

    [Theory]
    [InlineData("{\"framework\":\"not-a-guid\"}", "api.invalid-request")]
    [InlineData("{}", "api.invalid-request")]
    [InlineData("{\"framework\":\"{framework}\",\"version\":\"1\"}", "api.invalid-request")]
    [InlineData("{\"framework\":\"00000000-0000-0000-0000-000000000001\"}", "controls.framework-invalid")]
    [InlineData("{\"framework\":null}", "api.invalid-request")]
    public async Task BadAdoptions_AreAProblemSayingWhat_AndAdoptNothing(string body, string code)
    {
        var owner = await OwnerAsync();
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, SpacePath(owner) + "/frameworks", body.Replace("{framework}", iso.ToString("D"), StringComparison.Ordinal)), HttpStatusCode.BadRequest, code);
        Assert.Empty(await RowsAsync<FrameworkAdoption>(owner));
    }

    [Fact]
    public async Task ALine_IsDecidedThroughTheApi_WithIfMatchOnceDecided_AndTheTokenAsActor()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"));
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, iso);
        var requirements = (await RowsAsync<Kastell.Server.Features.Frameworks.Requirement>(owner)).ToDictionary(r => r.ControlId, r => r.Id);
        var token = await CreateTokenAsync(owner, ["space:can_read_controls", "space:can_edit_controls"]);
        using var api = Api(token.Secret);
        var line = $"{SpacePath(owner)}/soa/{iso:D}/requirements/{requirements["A.5.1"]:D}";
        var mark = await AuditWatermark.TakeAsync(Host);

        var undecided = await api.GetAsync(line, Ct);
        Assert.Equal(HttpStatusCode.OK, undecided.StatusCode);
        var e0 = undecided.Headers.ETag!.Tag;
        using (var json = JsonDocument.Parse(await undecided.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("A.5.1", json.RootElement.GetProperty("requirement").GetString());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("applicable").ValueKind);
        }

        // An undecided line is decided without If-Match.
        var excluded = await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":false,\"justification\":\"Outside the scope.\"}");
        Assert.Equal(HttpStatusCode.OK, excluded.StatusCode);
        var e1 = excluded.Headers.ETag!.Tag;
        Assert.NotEqual(e0, e1);
        using (var json = JsonDocument.Parse(await excluded.Content.ReadAsStringAsync(Ct)))
        {
            Assert.False(json.RootElement.GetProperty("applicable").GetBoolean());
            Assert.Equal("Outside the scope.", json.RootElement.GetProperty("justification").GetString());
        }

        // Decided now: without If-Match 428, with the undecided line's ETag 412 — and nothing changes either time.
        var stored = await EntriesAsync(owner);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":true,\"justification\":\"Required.\"}"), (HttpStatusCode)428, "api.precondition-required");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":true,\"justification\":\"Required.\"}", ifMatch: e0), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        Assert.Equal(stored, await EntriesAsync(owner));

        var included = await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":true,\"justification\":\"Required by the board.\"}", ifMatch: e1);
        Assert.Equal(HttpStatusCode.OK, included.StatusCode);
        var e2 = included.Headers.ETag!.Tag;
        Assert.NotEqual(e1, e2);
        Assert.Equal(e2, (await api.GetAsync(line, Ct)).Headers.ETag!.Tag);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":false,\"justification\":\"Back out.\"}", ifMatch: e1), HttpStatusCode.PreconditionFailed, "api.precondition-failed");

        // The same decision again changes nothing and records nothing; the ETag stays.
        var same = await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":true,\"justification\":\"Required by the board.\"}", ifMatch: e2);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(e2, same.Headers.ETag!.Tag);

        // An ETag sent for an undecided line must still be its own.
        var other = $"{SpacePath(owner)}/soa/{iso:D}/requirements/{requirements["A.5.2"]:D}";
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, other, "{\"applicable\":true,\"justification\":\"x\"}", ifMatch: e2), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        Assert.Single(await RowsAsync<ApplicabilityEntry>(owner));

        using (var soa = JsonDocument.Parse(await api.GetStringAsync($"{SpacePath(owner)}/soa/{iso:D}", Ct)))
        {
            var decided = soa.RootElement.GetProperty("items").EnumerateArray().Single(l => l.GetProperty("requirement").GetString() == "A.5.1");
            Assert.True(decided.GetProperty("applicable").GetBoolean());
            Assert.Equal("Required by the board.", decided.GetProperty("justification").GetString());
        }

        var entry = Assert.Single(await RowsAsync<ApplicabilityEntry>(owner));
        Assert.True(entry.Applicable);
        var written = (await mark.NewEventsAsync()).Where(e => e.OrganizationId == owner.OrganizationId && OfControls(e.Type)).OrderBy(e => e.Sequence).ToList();
        Assert.Equal([ControlEvents.ApplicabilityRecorded, ControlEvents.ApplicabilityRecorded], written.Select(e => e.Type));
        Assert.All(written, e => Assert.True(e.ActorKind == AuditActorKind.ApiToken && e.ActorId == token.Id.ToString(), $"{e.Type}: {e.ActorKind} {e.ActorId}"));
        Assert.Contains("\"applicable\":\"no\"", written[0].Details, StringComparison.Ordinal);
        Assert.Contains("\"applicable\":\"yes\"", written[1].Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A.5.1", "{\"applicable\":false}", HttpStatusCode.BadRequest, "controls.justification-required")]
    [InlineData("A.5.1", "{\"applicable\":true,\"justification\":\"   \"}", HttpStatusCode.BadRequest, "controls.justification-required")]
    [InlineData("A.5.1", "{\"applicable\":true,\"justification\":null}", HttpStatusCode.BadRequest, "controls.justification-required")]
    [InlineData("A.5.1", "{\"applicable\":true,\"justification\":\"{long}\"}", HttpStatusCode.BadRequest, "controls.justification-required")]
    [InlineData("A.5.1", "{\"applicable\":true,\"justification\":\"Bell\\u0007\"}", HttpStatusCode.BadRequest, "controls.justification-required")]
    [InlineData("A.5.1", "{\"justification\":\"No decision.\"}", HttpStatusCode.BadRequest, "api.invalid-request")]
    [InlineData("A.5.1", "{\"applicable\":\"yes\",\"justification\":\"A string.\"}", HttpStatusCode.BadRequest, "api.invalid-request")]
    [InlineData("A.5.1", "{\"applicable\":true,\"justification\":\"x\",\"approved\":true}", HttpStatusCode.BadRequest, "api.invalid-request")]
    [InlineData("A.5.1", "{\"applicable\":true,", HttpStatusCode.BadRequest, "api.invalid-request")]
    [InlineData("unknown", "{\"applicable\":true,\"justification\":\"x\"}", HttpStatusCode.NotFound, "not-found")]
    [InlineData("not-adopted", "{\"applicable\":true,\"justification\":\"x\"}", HttpStatusCode.NotFound, "not-found")]
    [InlineData("ac-1 in A", "{\"applicable\":true,\"justification\":\"x\"}", HttpStatusCode.NotFound, "not-found")]
    [InlineData("A.5.1 in not-adopted", "{\"applicable\":true,\"justification\":\"x\"}", HttpStatusCode.NotFound, "not-found")]
    [InlineData("A.5.1 in unknown", "{\"applicable\":true,\"justification\":\"x\"}", HttpStatusCode.NotFound, "not-found")]
    public async Task BadDecisions_AreAProblemSayingWhat_AndChangeNothing(string target, string body, HttpStatusCode status, string code)
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        var nist = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 800-53", "5", ("ac-1", "Policy"));
        var lonely = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Nicht übernommen", "1", ("x-1", "Other"));
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, iso);
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, nist);
        var requirements = (await RowsAsync<Kastell.Server.Features.Frameworks.Requirement>(owner)).ToDictionary(r => r.ControlId, r => r.Id);
        var (framework, requirement) = target switch
        {
            "A.5.1" => (iso, requirements["A.5.1"]),
            "unknown" => (iso, Guid.NewGuid()),
            "not-adopted" => (iso, requirements["x-1"]),
            "ac-1 in A" => (iso, requirements["ac-1"]),
            "A.5.1 in not-adopted" => (lonely, requirements["A.5.1"]),
            _ => (Guid.NewGuid(), requirements["A.5.1"]),
        };
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var before = await DigestAsync(owner);
        var path = $"{SpacePath(owner)}/soa/{framework:D}/requirements/{requirement:D}";
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, body.Replace("{long}", new string('x', ApplicabilityEntry.MaxJustificationLength + 1), StringComparison.Ordinal)), status, code);
        if (status == HttpStatusCode.NotFound)
        {
            await AssertProblemAsync(await api.GetAsync(path, Ct), status, code);
        }

        Assert.Equal(before, await DigestAsync(owner));
    }

    [Fact]
    public async Task WrongCallers_AreRefused_AndChangeNothing()
    {
        var victim = await OwnerAsync();
        var victimId = await Tenants.UserIdAsync(Host, victim.User.Email);
        var iso = await ControlsData.ImportAsync(Host, victim.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        var nist = await ControlsData.ImportAsync(Host, victim.User.OrganizationSlug, "Hausnorm 800-53", "5", ("ac-1", "Policy"));
        await ControlsData.AdoptAsync(Host, victim.OrganizationId, victim.SpaceId, victimId, iso);
        var nextDoor = await Tenants.CreateSpaceAsync(Host, victim.Browser, victim.User.OrganizationSlug, "Nebenan");
        var requirement = (await RowsAsync<Kastell.Server.Features.Frameworks.Requirement>(victim)).Single(r => r.ControlId == "A.5.1").Id;
        using (var api = Api((await CreateTokenAsync(victim, Everything)).Secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Put, $"{SpacePath(victim)}/soa/{iso:D}/requirements/{requirement:D}", "{\"applicable\":true,\"justification\":\"Ours.\"}")).StatusCode);
        }

        using var viewerBrowser = Host.CreateBrowser();
        var viewer = await Journeys.SignUpAndEnrolAsync(viewerBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, viewer.Email, OrganizationRole.Member, (victim.SpaceId, SpaceRole.Viewer));
        var viewerId = await Tenants.UserIdAsync(Host, viewer.Email);
        // The viewer cannot even list the write permissions on a token; one that lists only what they hold is refused at use.
        Assert.NotNull((await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, viewerId, ["space:can_edit_controls"])).Failure);
        Assert.NotNull((await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, viewerId, ["space:can_adopt_frameworks"])).Failure);
        var viewerToken = (await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, viewerId, ["space:can_read_controls"])).Value!.Secret;
        using var editorBrowser = Host.CreateBrowser();
        var editor = await Journeys.SignUpAndEnrolAsync(editorBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, editor.Email, OrganizationRole.Member, (victim.SpaceId, SpaceRole.Editor));
        var editorId = await Tenants.UserIdAsync(Host, editor.Email);
        // An editor decides the statement but adopts nothing: that is the Space's managers'.
        Assert.NotNull((await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, editorId, ["space:can_adopt_frameworks"])).Failure);
        var editorToken = (await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, editorId, ["space:can_read_controls", "space:can_edit_controls"])).Value!.Secret;
        var attacker = await OwnerAsync();
        var foreign = (await CreateTokenAsync(attacker, Everything)).Secret;
        var otherSpace = (await CreateTokenAsync(victim, Everything, [nextDoor])).Secret;
        var readOnly = (await CreateTokenAsync(victim, ["space:can_read_controls"])).Secret;
        var before = await DigestAsync(victim);
        var space = SpacePath(victim);
        var line = $"{space}/soa/{iso:D}/requirements/{requirement:D}";
        var requests = new (HttpMethod Method, string Path, string? Body, bool Adopts)[]
        {
            (HttpMethod.Post, space + "/frameworks", $"{{\"framework\":\"{nist:D}\"}}", true), (HttpMethod.Get, $"{space}/frameworks/{iso:D}", null, false),
            (HttpMethod.Delete, $"{space}/frameworks/{iso:D}", null, true), (HttpMethod.Get, line, null, false),
            (HttpMethod.Put, line, "{\"applicable\":false,\"justification\":\"Forged.\"}", false),
        };

        foreach (var (method, path, body, adopts) in requests)
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

            if (method == HttpMethod.Get)
            {
                using var api = Api(viewerToken);
                Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(path, Ct)).StatusCode);
                continue;
            }

            foreach (var token in adopts ? new[] { viewerToken, readOnly, editorToken } : new[] { viewerToken, readOnly })
            {
                using var api = Api(token);
                await AssertProblemAsync(await SendAsync(api, method, path, body, ifMatch: "*"), HttpStatusCode.Forbidden, "not-allowed");
            }
        }

        // The attacker's own Space does not reach the victim's framework or requirement either.
        using (var api = Api(foreign))
        {
            await AssertProblemAsync(await api.GetAsync($"{SpacePath(attacker)}/soa/{iso:D}/requirements/{requirement:D}", Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, $"{SpacePath(attacker)}/soa/{iso:D}/requirements/{requirement:D}", "{\"applicable\":false,\"justification\":\"Forged.\"}", ifMatch: "*"), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, $"{SpacePath(attacker)}/frameworks", $"{{\"framework\":\"{nist:D}\"}}"), HttpStatusCode.BadRequest, "controls.framework-invalid");
            await AssertProblemAsync(await api.DeleteAsync($"{SpacePath(attacker)}/frameworks/{iso:D}", Ct), HttpStatusCode.NotFound, "not-found");
        }

        Assert.Equal(before, await DigestAsync(victim));

        // The editor's token decides the line (the model gives the statement to editors): the refusals above were the callers'.
        using (var api = Api(editorToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Put, line, "{\"applicable\":false,\"justification\":\"Editor's call.\"}", ifMatch: (await api.GetAsync(line, Ct)).Headers.ETag!.Tag)).StatusCode);
        }
    }

    private static bool OfControls(AuditEventType type) => typeof(ControlEvents).GetFields().Any(f => Equals(f.GetValue(null), type));

    private static string SpacePath(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/s/akten";

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

    private async Task<List<T>> RowsAsync<T>(Owner owner)
        where T : class
    {
        var (scope, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return await db.Set<T>().AsNoTracking().ToListAsync(Ct);
        }
    }

    private async Task<string> EntriesAsync(Owner owner) =>
        string.Join('\n', (await RowsAsync<ApplicabilityEntry>(owner)).OrderBy(e => e.Id).Select(e => $"{e.RequirementId} {e.Applicable} {e.Justification} {e.UpdatedAt:O} {e.UpdatedBy}"));

    /// <summary>What a call could change: the Space's adoptions and the statement's lines.</summary>
    private async Task<string> DigestAsync(Owner owner) =>
        string.Join('\n',
        [
            .. (await RowsAsync<FrameworkAdoption>(owner)).OrderBy(a => a.Id).Select(a => $"{a.Id} {a.SpaceId} {a.FrameworkId} {a.FrameworkVersionId} {a.EndedAt:O}"),
            await EntriesAsync(owner),
        ]);
}

public sealed class ControlsSoaApiTestsOnSqlite(SqliteHost host) : ControlsSoaApiTests(host), IClassFixture<SqliteHost>;

public sealed class ControlsSoaApiTestsOnPostgres(PostgresHost host) : ControlsSoaApiTests(host), IClassFixture<PostgresHost>;
