using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Teams;
using Kastell.Server.Features.Teams.ManageTeams;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Teams;

/// <summary>
/// Teams: created, renamed and deleted through their pages, nested, filled with members; what a team is given in a
/// Space reaches its members (and the members of teams in it) and ends when they leave it — on each provider.
/// </summary>
public abstract partial class TeamTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Owner_CreatesRenamesAndDeletesATeam_EachAudited_AndDriftStaysClean()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var mark = await AuditWatermark.TakeAsync(host);

        var created = await CreateAsync(org.Owner, org, "Security");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var teamPage = TestBrowser.LocationOf(created)!;
        var team = Guid.Parse(TeamId().Match(teamPage).Groups[1].Value);
        Assert.Contains($"team:{team:D}#organization@organization:{org.Id:D}", await org.TuplesAsync());

        var renamed = await org.Owner.Browser.SubmitAsync(teamPage, "rename-team", new Dictionary<string, string> { ["Input.Name"] = "Information security" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Contains("The team has been renamed.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("<h1>Information security</h1>", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var (code, output) = await org.DriftAsync();
        Assert.True(code == 0, output);

        var deleted = await org.Owner.Browser.PostFromAsync(teamPage, teamPage + "/delete");
        Assert.Equal($"/o/{org.Slug}/teams?deleted=1", TestBrowser.LocationOf(deleted));
        Assert.DoesNotContain(await org.TuplesAsync(), t => t.Contains($"team:{team:D}", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(teamPage)).StatusCode);
        (code, output) = await org.DriftAsync();
        Assert.True(code == 0, output);
        var written = (await mark.NewEventsAsync()).Select(e => e.Type).ToList();
        Assert.Contains(TeamEvents.TeamCreated, written);
        Assert.Contains(TeamEvents.TeamRenamed, written);
        Assert.Contains(TeamEvents.TeamDeleted, written);
    }

    [Theory]
    [InlineData("security")]
    [InlineData("  SECURITY ")]
    public async Task ATeamName_IsUniqueRegardlessOfCase_AndMustBeSensible(string duplicate)
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await CreateAsync(org.Owner, org, "Security");

        var taken = await CreateAsync(org.Owner, org, duplicate);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        Assert.Contains("A team with this name already exists.", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        var tooLong = await org.AsAsync<CreateTeamCommand, Result<Team>>(org.Owner.Id, c => c.ExecuteAsync(new string('x', 101), Ct));
        var control = await org.AsAsync<CreateTeamCommand, Result<Team>>(org.Owner.Id, c => c.ExecuteAsync("Bell\u0007", Ct));
        var blank = await org.AsAsync<CreateTeamCommand, Result<Team>>(org.Owner.Id, c => c.ExecuteAsync("   ", Ct));
        Assert.Equal(TeamsErrors.NameInvalid, tooLong.Failure);
        Assert.Equal(TeamsErrors.NameInvalid, control.Failure);
        Assert.Equal(TeamsErrors.NameInvalid, blank.Failure);
        Assert.Equal(1, await TeamCountAsync(org));
    }

    [Fact]
    public async Task ASpaceRoleOfATeam_ReachesItsMembers_AndTheMembersOfTeamsInIt_UntilTheyLeave()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var space = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Vault");
        var tina = await org.JoinAsync(OrganizationRole.Member);
        var lena = await org.JoinAsync(OrganizationRole.Member);
        var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        var leads = await Tenants.CreateTeamAsync(host, org.Id, "Leads");
        await Tenants.GrantTeamAsync(host, org.Id, space, ops, SpaceRole.Editor);
        Assert.Equal(HttpStatusCode.NotFound, (await tina.Browser.GetAsync($"/o/{org.Slug}/s/vault/files")).StatusCode);

        var teamPage = $"/o/{org.Slug}/teams/{ops}";
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(org.Owner, teamPage, Subject.Person(tina.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(org.Owner, teamPage, Subject.Team(leads))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(org.Owner, $"/o/{org.Slug}/teams/{leads}", Subject.Person(lena.Id))).StatusCode);

        // Tina through Ops, Lena through Leads in Ops: both may upload (edit) in the Space.
        Assert.Equal(HttpStatusCode.OK, (await tina.Browser.GetAsync($"/o/{org.Slug}/s/vault/files")).StatusCode);
        Assert.Contains("data-testid=\"upload-form\"", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await lena.Browser.GetAsync($"/o/{org.Slug}/s/vault/files")).StatusCode);
        Assert.Contains("data-testid=\"upload-form\"", lena.Browser.LastPage, StringComparison.Ordinal);

        // Leads leaves Ops: Lena's next request is refused; Tina keeps hers.
        Assert.Equal(HttpStatusCode.Redirect, (await RemoveAsync(org.Owner, teamPage, Subject.Team(leads))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lena.Browser.GetAsync($"/o/{org.Slug}/s/vault/files")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tina.Browser.GetAsync($"/o/{org.Slug}/s/vault/files")).StatusCode);

        // Deleting Ops takes its Space role with it.
        await org.Owner.Browser.PostFromAsync(teamPage, teamPage + "/delete");
        Assert.Equal(HttpStatusCode.NotFound, (await tina.Browser.GetAsync($"/o/{org.Slug}/s/vault/files")).StatusCode);
        Assert.DoesNotContain(await org.TuplesAsync(), t => t.Contains($"team:{ops:D}", StringComparison.Ordinal));
        var (code, output) = await org.DriftAsync();
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task ATeamCannotContainItself_DirectlyOrThroughOthers()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var a = await Tenants.CreateTeamAsync(host, org.Id, "A");
        var b = await Tenants.CreateTeamAsync(host, org.Id, "B");
        var c = await Tenants.CreateTeamAsync(host, org.Id, "C");
        await Tenants.AddToTeamAsync(host, org.Id, a, Subject.Team(b));
        await Tenants.AddToTeamAsync(host, org.Id, b, Subject.Team(c));
        var before = await org.TuplesAsync();

        var self = await AddAsync(org.Owner, $"/o/{org.Slug}/teams/{a}", Subject.Team(a));
        var loop = await AddAsync(org.Owner, $"/o/{org.Slug}/teams/{c}", Subject.Team(a)); // C ⊂ B ⊂ A: A into C closes the circle

        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, loop.StatusCode);
        Assert.Contains("A team cannot contain itself", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(before, await org.TuplesAsync());
    }

    [Fact]
    public async Task TheEndpoints_RefuseAnonymousStrangersMembersBadInputAndForgedPosts_ChangingNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        var mia = await org.JoinAsync(OrganizationRole.Member);
        var audrey = await org.JoinAsync(OrganizationRole.Auditor);
        var team = await Tenants.CreateTeamAsync(host, org.Id, "Guarded");
        var theirs = await Tenants.CreateTeamAsync(host, other.Id, "Theirs");
        var page = $"/o/{org.Slug}/teams/{team}";
        var member = new Dictionary<string, string> { ["member"] = Subject.Person(mia.Id).ToString() };
        var before = await org.TuplesAsync();
        var theirsBefore = await other.TuplesAsync();

        using (var anonymous = host.CreateBrowser())
        {
            foreach (var action in new[] { "/delete", "/members/add", "/members/remove" })
            {
                Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await anonymous.PostAsync(page + action, member)));
            }
        }

        // Another organization's owner: the victim's organization is closed to them, and their own has no such team.
        foreach (var action in new[] { "/delete", "/members/add" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", page + action, member)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", $"/o/{other.Slug}/teams/{team}{action}", member)).StatusCode);
        }

        // The victim's owner cannot reach the stranger's team through their own organization either.
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.PostFromAsync("/", $"/o/{org.Slug}/teams/{theirs}/delete")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync($"/o/{org.Slug}/teams/{theirs}")).StatusCode);
        // Members who may see the team but not manage it.
        Assert.Equal(HttpStatusCode.OK, (await mia.Browser.GetAsync(page)).StatusCode);
        Assert.DoesNotContain("/members/add", mia.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await mia.Browser.PostFromAsync(page, page + "/members/add", member)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await audrey.Browser.PostFromAsync(page, page + "/delete")).StatusCode);
        var forgedCreate = await mia.Browser.PostFromAsync($"/o/{org.Slug}/teams", $"/o/{org.Slug}/teams", new Dictionary<string, string> { ["_handler"] = "create-team", ["Input.Name"] = "Forged" });
        Assert.Equal(HttpStatusCode.Forbidden, forgedCreate.StatusCode); // the form's permission (can_manage_teams) is checked before the page runs
        Assert.Equal(Failures.NotAllowed, (await org.AsAsync<CreateTeamCommand, Result<Team>>(mia.Id, c => c.ExecuteAsync("Forged", Ct))).Failure); // and the command itself
        // Bad input: no member, garbage, someone of another organization, a team of another organization.
        foreach (var bad in new[] { "", "user:not-a-guid", "root", $"user:{other.Owner.Id}", $"team:{theirs}" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostFromAsync(page, page + "/members/add", new Dictionary<string, string> { ["member"] = bad })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await RemoveAsync(org.Owner, page, Subject.Person(mia.Id))).StatusCode); // not in the team
        // Forged cross-site posts: the owner's cookies, no token.
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(page + "/members/add", member)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(page + "/delete")).StatusCode);

        Assert.Equal(before, await org.TuplesAsync());
        Assert.Equal(theirsBefore, await other.TuplesAsync());
        Assert.Equal(1, await TeamCountAsync(org));
    }

    private static Task<HttpResponseMessage> CreateAsync(Person caller, OrganizationFixture org, string name) =>
        caller.Browser.SubmitAsync($"/o/{org.Slug}/teams", "create-team", new Dictionary<string, string> { ["Input.Name"] = name });

    internal static Task<HttpResponseMessage> AddAsync(Person caller, string teamPage, Subject member) =>
        caller.Browser.PostFromAsync(teamPage, teamPage + "/members/add", new Dictionary<string, string> { ["member"] = member.ToString() });

    internal static Task<HttpResponseMessage> RemoveAsync(Person caller, string teamPage, Subject member) =>
        caller.Browser.PostFromAsync(teamPage, teamPage + "/members/remove", new Dictionary<string, string> { ["member"] = member.ToString() });

    private async Task<int> TeamCountAsync(OrganizationFixture org)
    {
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            return await db.Teams.CountAsync(Ct);
        }
    }

    [GeneratedRegex("/teams/([0-9a-f-]{36})$")]
    private static partial Regex TeamId();
}

public sealed class TeamTestsOnSqlite(SqliteHost host) : TeamTests(host), IClassFixture<SqliteHost>;

public sealed class TeamTestsOnPostgres(PostgresHost host) : TeamTests(host), IClassFixture<PostgresHost>;
