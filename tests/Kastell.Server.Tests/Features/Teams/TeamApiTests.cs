using System.Net;
using System.Text;
using System.Text.Json;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Teams;

/// <summary>
/// <c>/api/v1/o/{org}/teams</c> with a token: creation once per Idempotency-Key, rename with If-Match (428 without,
/// 412 when stale, nothing changed), members (people and nested teams, a cycle refused), delete, every change audited
/// with the token as actor; cursor pages; strict JSON and the feature's failures as problem details — and the
/// refusals: no token, the session cookie, another organization's token, a plain member's token, a token without the
/// team permissions, a token limited to Spaces (which cannot carry them at all).
/// </summary>
public abstract class TeamApiTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything = ["organization:can_manage_teams", "team:can_read", "team:can_manage"];

    [Fact]
    public async Task ATeam_IsCreatedOnce_RenamedWithIfMatch_FilledAndEmptied_AndDeleted_EachChangeAuditedWithTheToken()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var token = await CreateTokenAsync(owner, Everything);
        using var api = Api(token.Secret);
        var teams = TeamsPath(owner);
        var mark = await AuditWatermark.TakeAsync(Host);

        var first = await SendAsync(api, HttpMethod.Post, teams, "{\"name\":\"Security\"}", key: "team-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await SendAsync(api, HttpMethod.Post, teams, "{\"name\":\"Security\"}", key: "team-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, teams, "{\"name\":\"Other\"}", key: "team-1"), HttpStatusCode.UnprocessableEntity, "api.idempotency-key-reused");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, teams, "{\"name\":\" SECURITY \"}"), HttpStatusCode.Conflict, "team.name-taken");
        var row = Assert.Single(await TeamRowsAsync(owner));
        Assert.Equal("Security", row.Name);
        var path = first.Headers.Location!.OriginalString;
        Assert.Equal($"{teams}/{row.Id:D}", path);

        var read = await api.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var etag = read.Headers.ETag!.Tag;
        using (var json = JsonDocument.Parse(await read.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal(row.Id, json.RootElement.GetProperty("id").GetGuid());
            Assert.Equal("Security", json.RootElement.GetProperty("name").GetString());
        }

        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, "{\"name\":\"Information security\"}"), (HttpStatusCode)428, "api.precondition-required");
        var renamed = await SendAsync(api, HttpMethod.Put, path, "{\"name\":\"Information security\"}", ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.NotEqual(etag, renamed.Headers.ETag!.Tag);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, "{\"name\":\"Stale\"}", ifMatch: etag), HttpStatusCode.PreconditionFailed, "api.precondition-failed");
        Assert.Equal("Information security", Assert.Single(await TeamRowsAsync(owner)).Name);
        Assert.Equal(renamed.Headers.ETag!.Tag, (await api.GetAsync(path, Ct)).Headers.ETag!.Tag);

        // A person and a nested team; the nested team may not take the outer one in (a cycle).
        var nested = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "Auditors");
        var members = path + "/members";
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(api, HttpMethod.Post, members, $"{{\"member\":\"user:{ownerId:D}\"}}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(api, HttpMethod.Post, members, $"{{\"member\":\"team:{nested:D}\"}}")).StatusCode);
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, $"{teams}/{nested:D}/members", $"{{\"member\":\"team:{row.Id:D}\"}}"), HttpStatusCode.Conflict, "team.cycle");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, members, $"{{\"member\":\"team:{row.Id:D}\"}}"), HttpStatusCode.Conflict, "team.cycle");
        using (var list = JsonDocument.Parse(await api.GetStringAsync(members, Ct)))
        {
            var items = list.RootElement.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(2, items.Count);
            var person = Assert.Single(items, i => i.GetProperty("kind").GetString() == "person");
            Assert.Equal($"user:{ownerId:D}", person.GetProperty("member").GetString());
            Assert.Equal(owner.User.Email, person.GetProperty("email").GetString());
            var team = Assert.Single(items, i => i.GetProperty("kind").GetString() == "team");
            Assert.Equal($"team:{nested:D}", team.GetProperty("member").GetString());
            Assert.Equal("Auditors", team.GetProperty("name").GetString());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"{members}/user:{ownerId:D}", Ct)).StatusCode);
        await AssertProblemAsync(await api.DeleteAsync($"{members}/user:{ownerId:D}", Ct), HttpStatusCode.NotFound, "not-found");
        Assert.Equal([$"team:{nested:D}#member"], await MemberTuplesAsync(owner, row.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(path, Ct)).StatusCode);
        await AssertProblemAsync(await api.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.DeleteAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(["Auditors"], (await TeamRowsAsync(owner)).Select(t => t.Name));

        var events = (await mark.NewEventsAsync()).Where(e => e.TargetType == "team").ToList();
        foreach (var type in new[] { TeamEvents.TeamCreated, TeamEvents.TeamRenamed, TeamEvents.TeamMemberAdded, TeamEvents.TeamMemberRemoved, TeamEvents.TeamDeleted })
        {
            var written = events.Where(e => e.Type == type).ToList();
            Assert.NotEmpty(written);
            Assert.All(written, e => Assert.Equal((AuditActorKind.ApiToken, token.Id.ToString()), (e.ActorKind, e.ActorId)));
        }

        Assert.Single(events, e => e.Type == TeamEvents.TeamCreated);
        Assert.Equal(2, events.Count(e => e.Type == TeamEvents.TeamMemberAdded));
    }

    [Fact]
    public async Task TheLists_ArePagedWithAStableCursor_AndABadCursorOrLimitIsAProblem()
    {
        var owner = await OwnerAsync();
        var a = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "A-Team");
        var b = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "B-Team");
        var c = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "C-Team");
        await Tenants.AddToTeamAsync(Host, owner.OrganizationId, a, Subject.Team(b), Subject.Team(c), Subject.Person(await Tenants.UserIdAsync(Host, owner.User.Email)));
        using var api = Api((await CreateTokenAsync(owner, ["team:can_read"])).Secret);
        var teams = TeamsPath(owner);

        using var firstPage = JsonDocument.Parse(await api.GetStringAsync(teams + "?limit=2", Ct));
        Assert.Equal(["A-Team", "B-Team"], Names(firstPage));
        var cursor = firstPage.RootElement.GetProperty("nextCursor").GetString();
        var later = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "D-Team");
        await Tenants.AddToTeamAsync(Host, owner.OrganizationId, later, Subject.Team(c));
        using var secondPage = JsonDocument.Parse(await api.GetStringAsync($"{teams}?limit=2&cursor={cursor}", Ct));
        Assert.Equal(["C-Team", "D-Team"], Names(secondPage));
        Assert.Equal(JsonValueKind.Null, secondPage.RootElement.GetProperty("nextCursor").ValueKind);

        // Members page by member id: three pages of one, each member once.
        var seen = new List<string>();
        string? next = null;
        do
        {
            using var page = JsonDocument.Parse(await api.GetStringAsync($"{teams}/{a:D}/members?limit=1" + (next is null ? "" : "&cursor=" + next), Ct));
            seen.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("member").GetString()!));
            next = page.RootElement.GetProperty("nextCursor").GetString();
        }
        while (next is not null && seen.Count < 10);
        Assert.Equal(3, seen.Count);
        Assert.Equal(3, seen.Distinct().Count());
        Assert.Contains($"team:{b:D}", seen);
        Assert.Contains($"team:{c:D}", seen);

        await AssertProblemAsync(await api.GetAsync(teams + "?cursor=bm9wZQ", Ct), HttpStatusCode.BadRequest, "api.invalid-cursor");
        await AssertProblemAsync(await api.GetAsync($"{teams}/{a:D}/members?cursor=czoxMg", Ct), HttpStatusCode.BadRequest, "api.invalid-cursor");
        await AssertProblemAsync(await api.GetAsync(teams + "?limit=0", Ct), HttpStatusCode.BadRequest, "api.invalid-limit");
        await AssertProblemAsync(await api.GetAsync($"{teams}/{a:D}/members?limit=101", Ct), HttpStatusCode.BadRequest, "api.invalid-limit");
    }

    [Theory]
    [InlineData("{\"name\":", "api.invalid-request")]
    [InlineData("{\"name\":\"Security\",\"admin\":true}", "api.invalid-request")]
    [InlineData("{\"name\":42}", "api.invalid-request")]
    [InlineData("{}", "api.invalid-request")]
    [InlineData("{\"name\":null}", "api.invalid-request")]
    [InlineData("{\"name\":\"\"}", "team.name-invalid")]
    [InlineData("{\"name\":\"Tab\\tin the name\"}", "team.name-invalid")]
    public async Task BadInput_IsAProblemWithTheReason_AndCreatesNothing(string body, string code)
    {
        var owner = await OwnerAsync();
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);

        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, TeamsPath(owner), body), HttpStatusCode.BadRequest, code);

        Assert.Empty(await TeamRowsAsync(owner));
    }

    [Fact]
    public async Task AnOverlongName_AWrongMediaType_AndBadMembers_AreProblems_AndChangeNothing()
    {
        var owner = await OwnerAsync();
        var team = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "Security");
        using var api = Api((await CreateTokenAsync(owner, Everything)).Secret);
        var teams = TeamsPath(owner);
        var path = $"{teams}/{team:D}";
        var etag = (await api.GetAsync(path, Ct)).Headers.ETag!.Tag;

        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, teams, $"{{\"name\":\"{new string('x', 101)}\"}}"), HttpStatusCode.BadRequest, "team.name-invalid");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Put, path, $"{{\"name\":\"{new string('x', 101)}\"}}", ifMatch: etag), HttpStatusCode.BadRequest, "team.name-invalid");
        using (var form = new StringContent("name=Security", Encoding.UTF8, "application/x-www-form-urlencoded"))
        {
            await AssertProblemAsync(await api.PostAsync(teams, form, Ct), HttpStatusCode.UnsupportedMediaType, "api.unsupported-media-type");
        }

        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, path + "/members", "{\"member\":\"somebody\"}"), HttpStatusCode.BadRequest, "team.member-invalid");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, path + "/members", $"{{\"member\":\"user:{Guid.NewGuid():D}\"}}"), HttpStatusCode.BadRequest, "team.member-invalid");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, path + "/members", $"{{\"member\":\"team:{Guid.NewGuid():D}\"}}"), HttpStatusCode.BadRequest, "team.member-invalid");
        await AssertProblemAsync(await SendAsync(api, HttpMethod.Post, path + "/members", "{\"member\":\"user:x\",\"role\":\"owner\"}"), HttpStatusCode.BadRequest, "api.invalid-request");
        await AssertProblemAsync(await api.DeleteAsync(path + "/members/somebody", Ct), HttpStatusCode.BadRequest, "team.member-invalid");

        Assert.Equal(["Security"], (await TeamRowsAsync(owner)).Select(t => t.Name));
        Assert.Empty(await MemberTuplesAsync(owner, team));
    }

    [Fact]
    public async Task NoToken_TheCookie_AnotherOrganization_APlainMember_AndTokensWithoutTheTeamPermissions_AreRefused_AndNothingChanges()
    {
        var victim = await OwnerAsync();
        var attacker = await OwnerAsync();
        var victimId = await Tenants.UserIdAsync(Host, victim.User.Email);
        var team = await Tenants.CreateTeamAsync(Host, victim.OrganizationId, "Security");
        await Tenants.AddToTeamAsync(Host, victim.OrganizationId, team, Subject.Person(victimId));
        using var memberBrowser = Host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, member.Email, OrganizationRole.Member);
        var memberId = await Tenants.UserIdAsync(Host, member.Email);
        var teams = TeamsPath(victim);
        var path = $"{teams}/{team:D}";
        var before = await DigestAsync(victim);

        // Every change a caller could try; each must be refused with the expected status and problem details.
        async Task RefusedAsync(HttpClient client, string who, params HttpStatusCode[] expected)
        {
            (HttpMethod Method, string Path, string? Body)[] attempts =
            [
                (HttpMethod.Post, teams, "{\"name\":\"Takeover\"}"),
                (HttpMethod.Put, path, "{\"name\":\"Takeover\"}"),
                (HttpMethod.Delete, path, null),
                (HttpMethod.Post, path + "/members", $"{{\"member\":\"user:{memberId:D}\"}}"),
                (HttpMethod.Delete, $"{path}/members/user:{victimId:D}", null),
            ];
            foreach (var (method, target, body) in attempts)
            {
                var response = await SendAsync(client, method, target, body, ifMatch: "*");
                Assert.True(expected.Contains(response.StatusCode), $"{method} {target} with {who}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        using (var anonymous = Anonymous())
        {
            await RefusedAsync(anonymous, "no token", HttpStatusCode.Unauthorized);
            await AssertProblemAsync(await anonymous.GetAsync(teams, Ct), HttpStatusCode.Unauthorized, "api.unauthenticated");
        }

        await RefusedAsync(victim.Browser.Client, "the session cookie", HttpStatusCode.Unauthorized);

        // Another organization's token carries every team permission, in its own organization only.
        using (var foreign = Api((await CreateTokenAsync(attacker, Everything)).Secret))
        {
            await RefusedAsync(foreign, "another organization's token", HttpStatusCode.NotFound);
            await AssertProblemAsync(await foreign.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await foreign.GetAsync($"{TeamsPath(attacker)}/{team:D}", Ct), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await foreign.DeleteAsync($"{TeamsPath(attacker)}/{team:D}", Ct), HttpStatusCode.NotFound, "not-found");
            using var own = JsonDocument.Parse(await foreign.GetStringAsync(TeamsPath(attacker), Ct));
            Assert.Empty(Names(own));
        }

        // A plain member may read the teams, not manage them: their token carries team:can_manage, they do not hold it.
        var memberToken = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, memberId, ["team:can_read", "team:can_manage"]);
        Assert.Null(memberToken.Failure);
        using (var plain = Api(memberToken.Value!.Secret))
        {
            await RefusedAsync(plain, "a plain member's token", HttpStatusCode.Forbidden);
            using var list = JsonDocument.Parse(await plain.GetStringAsync(teams, Ct));
            Assert.Equal(["Security"], Names(list));
        }

        // The owner's token without team permissions sees no team; a token limited to a Space cannot carry them.
        using (var narrow = Api((await CreateTokenAsync(victim, ["file:can_read"])).Secret))
        {
            await RefusedAsync(narrow, "a token without the team permissions", HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
            await AssertProblemAsync(await narrow.GetAsync(path, Ct), HttpStatusCode.NotFound, "not-found");
            using var list = JsonDocument.Parse(await narrow.GetStringAsync(teams, Ct));
            Assert.Empty(Names(list));
        }

        var spaceLimited = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, victimId, ["team:can_read"], [victim.SpaceId]);
        Assert.NotNull(spaceLimited.Failure);

        Assert.Equal(before, await DigestAsync(victim));
    }

    private static string TeamsPath(Owner owner) => $"/api/v1/o/{owner.User.OrganizationSlug}/teams";

    private static List<string?> Names(JsonDocument page) =>
        [.. page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString())];

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

    private async Task<List<Team>> TeamRowsAsync(Owner owner)
    {
        var (scope, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(Ct);
        }
    }

    /// <summary>The team's direct members as the tuples name them.</summary>
    private async Task<List<string>> MemberTuplesAsync(Owner owner, Guid team)
    {
        var (scope, _) = Host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return [.. (await scope.ServiceProvider.GetRequiredService<RelationshipReader>().OfObjectAsync(Permissions.Object("team", team), ["member"], Ct)).Select(t => t.User).Order(StringComparer.Ordinal)];
        }
    }

    private async Task<string> DigestAsync(Owner owner)
    {
        var rows = await TeamRowsAsync(owner);
        var parts = new List<string>();
        foreach (var row in rows)
        {
            parts.Add($"{row.Id} {row.Name} [{string.Join(",", await MemberTuplesAsync(owner, row.Id))}]");
        }

        return string.Join('\n', parts);
    }
}

public sealed class TeamApiTestsOnSqlite(SqliteHost host) : TeamApiTests(host), IClassFixture<SqliteHost>;

public sealed class TeamApiTestsOnPostgres(PostgresHost host) : TeamApiTests(host), IClassFixture<PostgresHost>;
