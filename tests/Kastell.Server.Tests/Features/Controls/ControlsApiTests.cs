using System.Net;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Features.Controls;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Controls;

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/frameworks|controls|soa</c> with a token: the adopted frameworks, controls created once
/// per Idempotency-Key, replaced with If-Match (428 without, 412 when stale, nothing changed), answering requirements
/// (shown in the statement of applicability), filtered cursor pages, deleted with their answers and tuples — and the
/// refusals: no token, another organization, a token limited to another Space, a viewer's token writing, an editor
/// deleting (the model gives that to managers), bad input. Feature events carry the token as their actor.
/// </summary>
public abstract class ControlsApiTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything =
    [
        "space:can_read_controls", "space:can_edit_controls", "control:can_read", "control:can_edit", "control:can_delete",
    ];

    [Fact]
    public async Task AControl_IsCreatedOnce_ReplacedWithIfMatch_AnswersARequirement_AndIsDeletedWithItsAnswersAndTuples()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"));
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, iso);
        var ops = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "Ops");
        var token = await CreateTokenAsync(owner, Everything);
        using var api = Api(token.Secret);
        var controls = SpacePath(owner) + "/controls";
        var mark = await AuditWatermark.TakeAsync(Host);

        using (var adopted = JsonDocument.Parse(await api.GetStringAsync(SpacePath(owner) + "/frameworks", Ct)))
        {
            var framework = Assert.Single(adopted.RootElement.EnumerateArray());
            Assert.Equal(iso, framework.GetProperty("frameworkId").GetGuid());
            Assert.Equal("2022", framework.GetProperty("version").GetString());
            Assert.Equal(2, framework.GetProperty("requirements").GetInt32());
        }

        const string Body = "{\"title\":\"Backup\",\"description\":\"Nightly, kept 30 days.\"}";
        var first = await SendAsync(api, HttpMethod.Post, controls, Body, key: "control-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await SendAsync(api, HttpMethod.Post, controls, Body, key: "control-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, controls, Body.Replace("Backup", "Restore", StringComparison.Ordinal), key: "control-1"), HttpStatusCode.UnprocessableEntity, "api.idempotency-key-reused");
        var id = Assert.Single(await RowsAsync<Control>(owner)).Id;
        var path = first.Headers.Location!.OriginalString;
        Assert.Equal($"{controls}/{id:D}", path);

        var read = await api.GetAsync(path, Ct);
        var etag = read.Headers.ETag!.Tag;
        using (var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("planned", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("owner").ValueKind);
        }

        var change = $"{{\"title\":\"Backup\",\"description\":\"Nightly.\",\"status\":\"implemented\",\"owner\":\"team:{ops:D}\"}}";
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, change), (HttpStatusCode)428, "api.precondition-required");
        var updated = await SendAsync(api, HttpMethod.Put, path, change, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.NotEqual(etag, updated.Headers.ETag!.Tag);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, change.Replace("implemented", "planned", StringComparison.Ordinal), ifMatch: etag), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        var stored = Assert.Single(await RowsAsync<Control>(owner));
        Assert.Equal(ControlStatus.Implemented, stored.Status);
        Assert.Equal(updated.Headers.ETag!.Tag, (await api.GetAsync(path, Ct)).Headers.ETag!.Tag);
        Assert.Contains($"control:{id:D}#owner@team:{ops:D}#member", await TuplesAsync(owner));

        var answered = await SendAsync(api, HttpMethod.Post, path + "/requirements", $"{{\"framework\":\"{iso:D}\",\"requirement\":\"a.5.1\"}}");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Guid requirement;
        using (var json = JsonDocument.Parse(await answered.Content.ReadAsStringAsync(Ct)))
        {
            var link = Assert.Single(json.RootElement.GetProperty("requirements").EnumerateArray());
            Assert.Equal("A.5.1", link.GetProperty("requirement").GetString());
            Assert.Equal("Hausnorm 27001", link.GetProperty("framework").GetString());
            requirement = link.GetProperty("id").GetGuid();
        }

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Post, path + "/requirements", $"{{\"framework\":\"{iso:D}\",\"requirement\":\"A.5.1\"}}")).StatusCode);
        Assert.Single(await RowsAsync<ControlRequirement>(owner));
        var soa = $"{SpacePath(owner)}/soa/{iso:D}";
        using (var json = JsonDocument.Parse(await api.GetStringAsync(soa, Ct)))
        {
            var line = json.RootElement.GetProperty("items").EnumerateArray().Single(l => l.GetProperty("requirement").GetString() == "A.5.1");
            Assert.Equal("Backup", Assert.Single(line.GetProperty("controls").EnumerateArray()).GetProperty("title").GetString());
        }

        // An answer removed and given again, then the control deleted: its answers and every tuple naming it go with it.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"{path}/requirements/{requirement:D}", Ct)).StatusCode);
        Assert.Empty(await RowsAsync<ControlRequirement>(owner));
        await AssertProblemAsync(await api.DeleteAsync($"{path}/requirements/{requirement:D}", Ct), HttpStatusCode.BadRequest, "controls.requirement-invalid");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Post, path + "/requirements", $"{{\"framework\":\"{iso:D}\",\"requirement\":\"A.5.1\"}}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(path, Ct)).StatusCode);
        Assert.Empty(await RowsAsync<Control>(owner));
        Assert.Empty(await RowsAsync<ControlRequirement>(owner));
        Assert.DoesNotContain(await TuplesAsync(owner), t => t.Contains($"control:{id:D}", StringComparison.Ordinal));
        await AssertProblemAsync(await api.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.DeleteAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        using (var json = JsonDocument.Parse(await api.GetStringAsync(soa, Ct)))
        {
            Assert.All(json.RootElement.GetProperty("items").EnumerateArray(), l => Assert.Empty(l.GetProperty("controls").EnumerateArray()));
        }

        var ofControls = typeof(ControlEvents).GetFields().Select(f => (AuditEventType)f.GetValue(null)!).ToHashSet();
        var written = (await mark.NewEventsAsync()).Where(e => ofControls.Contains(e.Type)).ToList();
        Assert.Equal(
            [ControlEvents.ControlCreated, ControlEvents.ControlUpdated, ControlEvents.ControlRequirementLinked, ControlEvents.ControlRequirementUnlinked, ControlEvents.ControlRequirementLinked, ControlEvents.ControlDeleted],
            written.OrderBy(e => e.Sequence).Select(e => e.Type));
        Assert.All(written, e => Assert.True(e.ActorKind == AuditActorKind.ApiToken && e.ActorId == token.Id.ToString(), $"{e.Type}: {e.ActorKind} {e.ActorId}"));
        Assert.Contains("\"requirements\":\"1\"", written.Single(e => e.Type == ControlEvents.ControlDeleted).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheList_IsPagedWithAStableCursor_FilteredByStatusAndOwner_AndTheStatementIsPagedInTheFrameworksOrder()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"), ("A.5.3", "Segregation"));
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, iso);
        var backup = await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Zeta backup");
        await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Alpha policy");
        var patching = await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Mid patching");
        await SetAsync(owner, ownerId, backup, "Zeta backup", "Implemented", Subject.Person(ownerId).ToString());
        await SetAsync(owner, ownerId, patching, "Mid patching", "Implemented", null);
        using var api = Api((await CreateTokenAsync(owner, ["space:can_read_controls", "control:can_read"])).Secret);
        var controls = SpacePath(owner) + "/controls";

        // Creation order (the ids), not the title: a control added after the first page does not shift it.
        using var first = JsonDocument.Parse(await api.GetStringAsync(controls + "?limit=2", Ct));
        Assert.Equal(["Zeta backup", "Alpha policy"], Titles(first));
        var cursor = first.RootElement.GetProperty("nextCursor").GetString();
        await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Later");
        using var second = JsonDocument.Parse(await api.GetStringAsync($"{controls}?limit=2&cursor={cursor}", Ct));
        Assert.Equal(["Mid patching", "Later"], Titles(second));
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("nextCursor").ValueKind);

        using (var implemented = JsonDocument.Parse(await api.GetStringAsync(controls + "?status=implemented", Ct)))
        {
            Assert.Equal(["Zeta backup", "Mid patching"], Titles(implemented));
        }

        using (var owned = JsonDocument.Parse(await api.GetStringAsync($"{controls}?owner=user:{ownerId:D}", Ct)))
        {
            Assert.Equal(["Zeta backup"], Titles(owned));
            Assert.Equal($"user:{ownerId:D}", owned.RootElement.GetProperty("items")[0].GetProperty("owner").GetString());
        }

        using (var page = JsonDocument.Parse(await api.GetStringAsync($"{controls}?status=implemented&limit=1", Ct)))
        {
            using var rest = JsonDocument.Parse(await api.GetStringAsync($"{controls}?status=implemented&limit=1&cursor={page.RootElement.GetProperty("nextCursor").GetString()}", Ct));
            Assert.Equal(["Mid patching"], Titles(rest));
        }

        var soa = $"{SpacePath(owner)}/soa/{iso:D}";
        using var soaFirst = JsonDocument.Parse(await api.GetStringAsync(soa + "?limit=2", Ct));
        Assert.Equal(["A.5.1", "A.5.2"], soaFirst.RootElement.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("requirement").GetString()));
        Assert.Equal(JsonValueKind.Null, soaFirst.RootElement.GetProperty("items")[0].GetProperty("applicable").ValueKind);
        using var soaRest = JsonDocument.Parse(await api.GetStringAsync($"{soa}?limit=2&cursor={soaFirst.RootElement.GetProperty("nextCursor").GetString()}", Ct));
        Assert.Equal(["A.5.3"], soaRest.RootElement.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("requirement").GetString()));
        Assert.Equal(JsonValueKind.Null, soaRest.RootElement.GetProperty("nextCursor").ValueKind);

        foreach (var (query, code) in new[]
        {
            (controls + "?cursor=bm9wZQ", "api.invalid-cursor"), (controls + "?limit=0", "api.invalid-limit"), (controls + "?limit=101", "api.invalid-limit"),
            (controls + "?status=done", "controls.status-invalid"), (controls + "?status=3", "controls.status-invalid"), (controls + "?status=Implemented", "controls.status-invalid"),
            (controls + "?owner=root", "controls.owner-invalid"), (soa + "?cursor=" + cursor, "api.invalid-cursor"), (soa + "?limit=500", "api.invalid-limit"),
        })
        {
            await AssertProblemAsync(await api.GetAsync(query, Ct), HttpStatusCode.BadRequest, code);
        }

        await AssertProblemAsync(await api.GetAsync($"{SpacePath(owner)}/soa/{Guid.NewGuid():D}", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("POST", "", "{\"title\":", "api.invalid-request")]
    [InlineData("POST", "", "{\"title\":\"x\",\"admin\":true}", "api.invalid-request")]
    [InlineData("POST", "", "{\"title\":\"x\",\"status\":\"implemented\"}", "api.invalid-request")]
    [InlineData("POST", "", "{\"description\":\"no title\"}", "api.invalid-request")]
    [InlineData("POST", "", "{\"title\":\"  \"}", "controls.control-invalid")]
    [InlineData("POST", "", "{\"title\":\"Bell\\u0007\"}", "controls.control-invalid")]
    [InlineData("PUT", "/{id}", "{\"title\":\"x\",\"status\":\"done\"}", "api.invalid-request")]
    [InlineData("PUT", "/{id}", "{\"title\":\"x\",\"status\":3}", "api.invalid-request")]
    [InlineData("PUT", "/{id}", "{\"title\":\"\"}", "controls.control-invalid")]
    [InlineData("PUT", "/{id}", "{\"title\":\"x\",\"owner\":\"user:00000000-0000-0000-0000-000000000001\"}", "controls.owner-invalid")]
    [InlineData("PUT", "/{id}", "{\"title\":\"x\",\"owner\":\"root\"}", "controls.owner-invalid")]
    [InlineData("POST", "/{id}/requirements", "{\"framework\":\"{framework}\",\"requirement\":\"A.9.9\"}", "controls.requirement-invalid")]
    [InlineData("POST", "/{id}/requirements", "{\"framework\":\"00000000-0000-0000-0000-000000000001\",\"requirement\":\"A.5.1\"}", "controls.not-adopted")]
    [InlineData("POST", "/{id}/requirements", "{\"framework\":\"not-a-guid\",\"requirement\":\"A.5.1\"}", "api.invalid-request")]
    [InlineData("POST", "/{id}/requirements", "{\"framework\":\"{framework}\"}", "api.invalid-request")]
    public async Task BadInput_IsAProblemSayingWhat_AndChangesNothing(string method, string suffix, string body, string code)
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, iso);
        var control = await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Bestand");
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var before = await DigestAsync(owner);
        var path = SpacePath(owner) + "/controls" + suffix.Replace("{id}", control.ToString("D"), StringComparison.Ordinal);
        await AssertProblemAsync(await SendAsync(api, new HttpMethod(method), path, body.Replace("{framework}", iso.ToString("D"), StringComparison.Ordinal), ifMatch: "*"), HttpStatusCode.BadRequest, code);
        Assert.Equal(before, await DigestAsync(owner));
    }

    [Fact]
    public async Task WrongCallers_AreRefused_AndChangeNothing()
    {
        var victim = await OwnerAsync();
        var victimId = await Tenants.UserIdAsync(Host, victim.User.Email);
        var iso = await ControlsData.ImportAsync(Host, victim.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        await ControlsData.AdoptAsync(Host, victim.OrganizationId, victim.SpaceId, victimId, iso);
        var control = await ControlsData.CreateControlAsync(Host, victim.OrganizationId, victim.SpaceId, victimId, "Geheime Maßnahme");
        var nextDoor = await Tenants.CreateSpaceAsync(Host, victim.Browser, victim.User.OrganizationSlug, "Nebenan");
        var requirement = (await RowsAsync<Kastell.Server.Features.Frameworks.Requirement>(victim)).Single().Id;
        using (var api = Api((await CreateTokenAsync(victim, Everything)).Secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Post, $"{SpacePath(victim)}/controls/{control:D}/requirements", $"{{\"framework\":\"{iso:D}\",\"requirement\":\"A.5.1\"}}")).StatusCode);
        }

        using var viewerBrowser = Host.CreateBrowser();
        var viewer = await Journeys.SignUpAndEnrolAsync(viewerBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, viewer.Email, OrganizationRole.Member, (victim.SpaceId, SpaceRole.Viewer));
        var viewerToken = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(Host, viewer.Email), ["space:can_read_controls", "control:can_read"]);
        Assert.Null(viewerToken.Failure);
        Assert.NotNull((await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(Host, viewer.Email), ["space:can_edit_controls"])).Failure);
        // A control permission names no object at creation, so the token may list it; at use the viewer still lacks it.
        var viewerOverreach = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(Host, viewer.Email), ["control:can_read", "control:can_edit", "control:can_delete"]);
        using var editorBrowser = Host.CreateBrowser();
        var editor = await Journeys.SignUpAndEnrolAsync(editorBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, editor.Email, OrganizationRole.Member, (victim.SpaceId, SpaceRole.Editor));
        var editorToken = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(Host, editor.Email), ["space:can_read_controls", "space:can_edit_controls", "control:can_read", "control:can_edit", "control:can_delete"]);
        Assert.Null(editorToken.Failure);
        var attacker = await OwnerAsync();
        var foreign = (await CreateTokenAsync(attacker, Everything)).Secret;
        var otherSpace = (await CreateTokenAsync(victim, Everything, [nextDoor])).Secret;
        var readOnly = (await CreateTokenAsync(victim, ["space:can_read_controls", "control:can_read"])).Secret;
        var before = await DigestAsync(victim);
        var space = SpacePath(victim);
        var one = $"{space}/controls/{control:D}";
        var requests = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, space + "/frameworks", null), (HttpMethod.Get, space + "/controls", null), (HttpMethod.Post, space + "/controls", "{\"title\":\"Forged\"}"),
            (HttpMethod.Get, one, null), (HttpMethod.Put, one, "{\"title\":\"Forged\"}"), (HttpMethod.Delete, one, null),
            (HttpMethod.Post, one + "/requirements", $"{{\"framework\":\"{iso:D}\",\"requirement\":\"A.5.1\"}}"), (HttpMethod.Delete, $"{one}/requirements/{requirement:D}", null),
            (HttpMethod.Get, $"{space}/soa/{iso:D}", null),
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
                foreach (var token in new[] { viewerToken.Value!.Secret, readOnly, viewerOverreach.Value!.Secret })
                {
                    using var api = Api(token);
                    await AssertProblemAsync(await SendAsync(api, method, path, body, ifMatch: "*"), HttpStatusCode.Forbidden, "not-allowed");
                }
            }
        }

        // An editor edits controls but may not delete one: that is the Space's managers' (control#can_delete). The token
        // lists the permission, so the refusal is the model's, not the token's.
        using (var api = Api(editorToken.Value!.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(one, Ct)).StatusCode);
            await AssertProblemAsync(await api.DeleteAsync(one, Ct), HttpStatusCode.Forbidden, "not-allowed");
        }

        // The attacker's own Space does not reach the victim's control or statement either.
        using (var api = Api(foreign))
        {
            await AssertProblemAsync(await api.GetAsync($"{SpacePath(attacker)}/controls/{control:D}", Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await api.DeleteAsync($"{SpacePath(attacker)}/controls/{control:D}", Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await api.GetAsync($"{SpacePath(attacker)}/soa/{iso:D}", Ct), HttpStatusCode.NotFound, "not-found");
        }

        Assert.Equal(before, await DigestAsync(victim));
    }

    [Fact]
    public async Task TheStatement_DownloadsAsXlsx_FromTheApiAndThePage_WithEveryRow_AndFormulasNeutralised()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var iso = await ControlsData.ImportAsync(Host, owner.User.OrganizationSlug, "Hausnorm 27001", "2022", ("A.5.1", "=HYPERLINK(evil)"), ("A.5.2", "Roles"), ("A.5.3", "Segregation"));
        await ControlsData.AdoptAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, iso);
        var control = await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "@SUM(A1:A9)");
        var plain = await ControlsData.CreateControlAsync(Host, owner.OrganizationId, owner.SpaceId, ownerId, "Backup");
        var requirements = (await RowsAsync<Kastell.Server.Features.Frameworks.Requirement>(owner)).ToDictionary(r => r.ControlId, r => r.Id);
        foreach (var (id, requirement) in new[] { (control, "A.5.1"), (plain, "A.5.1"), (plain, "A.5.2") })
        {
            var linked = await ControlsData.AsAsync<LinkRequirementCommand, Result>(Host, owner.OrganizationId, owner.SpaceId, ownerId, c => c.LinkAsync(id, iso, requirement, Ct));
            Assert.True(linked.Succeeded, linked.Failure?.Code);
        }

        foreach (var (requirement, applicable, justification) in new[] { ("A.5.1", "yes", "+1 required by the board"), ("A.5.2", "no", "-outside the scope") })
        {
            var recorded = await ControlsData.AsAsync<RecordApplicabilityCommand, Result>(Host, owner.OrganizationId, owner.SpaceId, ownerId,
                c => c.ExecuteAsync(requirements[requirement], applicable, justification, Ct));
            Assert.True(recorded.Succeeded, recorded.Failure?.Code);
        }

        var token = await CreateTokenAsync(owner, ["space:can_read_controls"]);
        using var api = Api(token.Secret);
        var mark = await AuditWatermark.TakeAsync(Host);
        var response = await api.GetAsync($"{SpacePath(owner)}/soa/{iso:D}/xlsx", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SoaWorkbook.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("soa-hausnorm-27001.xlsx", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var rows = ReadRows(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(4, rows.Count);
        Assert.Equal(["Framework", "Requirement", "Title", "Applicability", "Justification", "Controls", "Status"], rows[0]);
        Assert.Equal(["Hausnorm 27001 (2022)", "A.5.1", "'=HYPERLINK(evil)", "Applicable", "'+1 required by the board", "'@SUM(A1:A9)\nBackup", "Planned\nPlanned"], rows[1]);
        Assert.Equal(["Hausnorm 27001 (2022)", "A.5.2", "Roles", "Not applicable", "'-outside the scope", "Backup", "Planned"], rows[2]);
        Assert.Equal(["Hausnorm 27001 (2022)", "A.5.3", "Segregation", "Not decided yet", "", "", ""], rows[3]);

        // The page's download: the same workbook in the reader's language, for anyone who reads the statement.
        var page = await owner.Browser.GetAsync($"/o/{owner.User.OrganizationSlug}/s/akten/soa/{iso:D}");
        Assert.Contains($"href=\"/o/{owner.User.OrganizationSlug}/s/akten/soa/{iso:D}/xlsx\"", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var download = await owner.Browser.GetAsync($"/o/{owner.User.OrganizationSlug}/s/akten/soa/{iso:D}/xlsx");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(rows, ReadRows(await download.Content.ReadAsByteArrayAsync(Ct)));

        await AssertProblemAsync(await api.GetAsync($"{SpacePath(owner)}/soa/{Guid.NewGuid():D}/xlsx", Ct), HttpStatusCode.NotFound, "not-found");
        using (var foreign = Api((await CreateTokenAsync(await OwnerAsync(), ["space:can_read_controls"])).Secret))
        {
            await AssertProblemAsync(await foreign.GetAsync($"{SpacePath(owner)}/soa/{iso:D}/xlsx", Ct), HttpStatusCode.NotFound, "not-found");
        }

        using (var anonymous = Anonymous())
        {
            await AssertProblemAsync(await anonymous.GetAsync($"{SpacePath(owner)}/soa/{iso:D}/xlsx", Ct), HttpStatusCode.Unauthorized, "api.unauthenticated");
        }

        // Each download is an audit event with its actor — the token, then the person on the page — and the refused
        // ones are none.
        var exports = (await mark.NewEventsAsync()).Where(e => e.Type == ControlEvents.StatementOfApplicabilityExported).OrderBy(e => e.Sequence).ToList();
        Assert.Equal(2, exports.Count);
        Assert.All(exports, e => Assert.Equal(owner.OrganizationId, e.OrganizationId));
        Assert.All(exports, e => Assert.Equal(owner.SpaceId, e.SpaceId));
        Assert.Equal((AuditActorKind.ApiToken, token.Id.ToString()), (exports[0].ActorKind, exports[0].ActorId));
        Assert.Equal((AuditActorKind.User, ownerId.ToString()), (exports[1].ActorKind, exports[1].ActorId));
        Assert.All(exports, e => Assert.Contains($"\"framework\":\"{iso}\"", e.Details, StringComparison.Ordinal));
        Assert.All(exports, e => Assert.Contains("\"format\":\"xlsx\"", e.Details, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+49 30 1234", "'+49 30 1234")]
    [InlineData("-1", "'-1")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tTab", "'\tTab")]
    [InlineData("\rReturn", "'\rReturn")]
    [InlineData("Plain = text", "Plain = text")]
    [InlineData("", "")]
    public void CellText_ThatASpreadsheetWouldEvaluate_IsNeutralised(string value, string expected) =>
        Assert.Equal(expected, SoaWorkbook.Neutralised(value));

    /// <summary>Every row's cell texts, read with the Open XML SDK that wrote them.</summary>
    private static List<List<string>> ReadRows(byte[] xlsx)
    {
        using var stream = new MemoryStream(xlsx);
        using var document = SpreadsheetDocument.Open(stream, false);
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
        return [.. sheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().Select(r => r.Elements<DocumentFormat.OpenXml.Spreadsheet.Cell>().Select(c => c.InlineString?.InnerText ?? c.CellValue?.Text ?? "").ToList())];
    }

    private static string SpacePath(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/s/akten";

    private static List<string?> Titles(JsonDocument page) => [.. page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString())];

    private async Task SetAsync(Owner owner, Guid actor, Guid control, string title, string status, string? controlOwner)
    {
        var result = await ControlsData.AsAsync<Kastell.Server.Features.Controls.ManageControls.UpdateControlCommand, Kastell.Server.Platform.Http.Result>(
            Host, owner.OrganizationId, owner.SpaceId, actor, c => c.ExecuteAsync(control, new(title, "", status, controlOwner), cancellationToken: Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
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

    private async Task<List<string>> TuplesAsync(Owner owner)
    {
        var (scope, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            var store = Permissions.StoreId(owner.OrganizationId);
            return [.. (await db.Set<TupleEntity>().AsNoTracking().Where(t => t.StoreId == store).ToListAsync(Ct)).Select(t => $"{t.Object}#{t.Relation}@{t.User}").Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>What a call could change: controls, their answers, the statement's lines and the tuples.</summary>
    private async Task<string> DigestAsync(Owner owner) =>
        string.Join('\n',
        [
            .. (await RowsAsync<Control>(owner)).OrderBy(c => c.Id).Select(c => $"{c.Id} {c.Title} {c.Status} {c.Description} {c.UpdatedAt:O}"),
            .. (await RowsAsync<ControlRequirement>(owner)).OrderBy(l => l.Id).Select(l => $"{l.ControlId} {l.RequirementId}"),
            .. (await RowsAsync<Kastell.Server.Features.Controls.Applicability.ApplicabilityEntry>(owner)).OrderBy(e => e.Id).Select(e => $"{e.RequirementId} {e.Applicable}"),
            .. await TuplesAsync(owner),
        ]);
}

public sealed class ControlsApiTestsOnSqlite(SqliteHost host) : ControlsApiTests(host), IClassFixture<SqliteHost>;

public sealed class ControlsApiTestsOnPostgres(PostgresHost host) : ControlsApiTests(host), IClassFixture<PostgresHost>;
