using System.Net;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Organizations;

/// <summary>
/// A Space's members page: roles given to people (a row and its tuple) and to teams (a tuple), changed and taken away
/// by whoever manages the Space's members, audited, and effective with the next request — on each provider.
/// </summary>
public abstract class SpaceMemberTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AManager_GivesChangesAndTakesRoles_ToPeopleAndTeams_WithRowsTuplesAndAudit()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var space = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Hub");
        var mia = await org.JoinAsync(OrganizationRole.Member);
        var tina = await org.JoinAsync(OrganizationRole.Member);
        var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        await Tenants.AddToTeamAsync(host, org.Id, ops, Subject.Person(tina.Id));
        var members = $"/o/{org.Slug}/s/hub/members";
        var mark = await AuditWatermark.TakeAsync(host);

        Assert.Equal($"{members}?granted=1", TestBrowser.LocationOf(await GrantAsync(org.Owner, members, Subject.Person(mia.Id), "Viewer")));
        Assert.Equal($"{members}?granted=1", TestBrowser.LocationOf(await GrantAsync(org.Owner, members, Subject.Team(ops), "Editor")));

        Assert.Equal(HttpStatusCode.OK, (await mia.Browser.GetAsync($"/o/{org.Slug}/s/hub/files")).StatusCode);
        Assert.DoesNotContain("data-testid=\"upload-form\"", mia.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await tina.Browser.GetAsync($"/o/{org.Slug}/s/hub/files")).StatusCode);
        Assert.Contains("data-testid=\"upload-form\"", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(SpaceRole.Viewer, await SpaceRoleAsync(org, space, mia.Id));
        var tuples = await org.TuplesAsync();
        Assert.Contains($"space:{space:D}#viewer@user:{mia.Id:D}", tuples);
        Assert.Contains($"space:{space:D}#editor@team:{ops:D}#member", tuples);
        await org.Owner.Browser.GetAsync(members);
        Assert.Contains($"data-subject=\"team:{ops:D}\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        // A new role replaces the old one (one role per subject and Space).
        await GrantAsync(org.Owner, members, Subject.Person(mia.Id), "Editor");
        await GrantAsync(org.Owner, members, Subject.Team(ops), "Viewer");
        tuples = await org.TuplesAsync();
        Assert.Equal(SpaceRole.Editor, await SpaceRoleAsync(org, space, mia.Id));
        Assert.DoesNotContain($"space:{space:D}#viewer@user:{mia.Id:D}", tuples);
        Assert.Equal([$"space:{space:D}#viewer@team:{ops:D}#member"], tuples.Where(t => t.Contains($"@team:{ops:D}", StringComparison.Ordinal)));

        Assert.Equal($"{members}?revoked=1", TestBrowser.LocationOf(await RevokeAsync(org.Owner, members, Subject.Team(ops))));
        Assert.Equal(HttpStatusCode.NotFound, (await tina.Browser.GetAsync($"/o/{org.Slug}/s/hub/files")).StatusCode);
        var (code, output) = await org.DriftAsync();
        Assert.True(code == 0, output);
        var written = await mark.NewEventsAsync();
        Assert.Equal(4, written.Count(e => e.Type == OrganizationEvents.SpaceRoleGranted));
        Assert.Contains(written, e => e.Type == OrganizationEvents.SpaceRoleGranted && e.Details!.Contains("\"previous\":\"Viewer\"", StringComparison.Ordinal));
        Assert.Single(written, e => e.Type == OrganizationEvents.SpaceRoleRevoked);
    }

    [Fact]
    public async Task ASpaceManager_ManagesTheirSpace_NotAnother()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var hub = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Hub");
        await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Lab");
        var sam = await org.JoinAsync(OrganizationRole.Member, (hub, SpaceRole.Manager));
        var mia = await org.JoinAsync(OrganizationRole.Member);

        Assert.Equal(HttpStatusCode.Redirect, (await GrantAsync(sam, $"/o/{org.Slug}/s/hub/members", Subject.Person(mia.Id), "Editor")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sam.Browser.PostFromAsync("/", $"/o/{org.Slug}/s/lab/members/grant",
            new Dictionary<string, string> { ["subject"] = Subject.Person(mia.Id).ToString(), ["role"] = "Editor" })).StatusCode); // Lab is closed to Sam
        Assert.Equal(SpaceRole.Editor, await SpaceRoleAsync(org, hub, mia.Id));
    }

    [Fact]
    public async Task TheEndpoints_RefuseAnonymousStrangersMembersBadInputAndForgedPosts_ChangingNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Hub");
        await Tenants.CreateSpaceAsync(host, other.Owner.Browser, other.Slug, "Hub");
        var mia = await org.JoinAsync(OrganizationRole.Member);
        var hub = await Tenants.SpaceIdAsync(host, org.Id, "hub");
        var vera = await org.JoinAsync(OrganizationRole.Member, (hub, SpaceRole.Editor));
        var audrey = await org.JoinAsync(OrganizationRole.Auditor);
        var theirTeam = await Tenants.CreateTeamAsync(host, other.Id, "Theirs");
        var members = $"/o/{org.Slug}/s/hub/members";
        var grant = new Dictionary<string, string> { ["subject"] = Subject.Person(mia.Id).ToString(), ["role"] = "Manager" };
        var before = await org.TuplesAsync();
        var theirsBefore = await other.TuplesAsync();

        using (var anonymous = host.CreateBrowser())
        {
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await anonymous.PostAsync(members + "/grant", grant)));
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await anonymous.PostAsync(members + "/revoke", grant)));
        }

        // Another organization's owner, into the victim's Space, and with the victim's person into a Space of their own.
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", members + "/grant", grant)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await other.Owner.Browser.PostFromAsync("/", $"/o/{other.Slug}/s/hub/members/grant", grant)).StatusCode);
        // Members who may read the Space but not manage its members: an editor, an auditor.
        Assert.Equal(HttpStatusCode.Forbidden, (await GrantAsync(vera, members, Subject.Person(mia.Id), "Manager")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RevokeAsync(vera, members, Subject.Person(vera.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GrantAsync(audrey, members, Subject.Person(audrey.Id), "Manager")).StatusCode);
        // A member without any role in the Space cannot even find it.
        Assert.Equal(HttpStatusCode.NotFound, (await mia.Browser.PostFromAsync("/", members + "/grant", grant)).StatusCode);
        // Bad input: roles that are not, subjects that are not, or not of this organization.
        foreach (var role in new[] { "Owner", "2", "Viewer, Manager", "" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await GrantAsync(org.Owner, members, Subject.Person(mia.Id), role)).StatusCode);
        }

        foreach (var subject in new[] { "", "anyone", "user:*", $"user:{other.Owner.Id}", $"team:{theirTeam}", $"team:{Guid.NewGuid()}" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostFromAsync(members, members + "/grant", new Dictionary<string, string> { ["subject"] = subject, ["role"] = "Viewer" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await RevokeAsync(org.Owner, members, Subject.Person(mia.Id))).StatusCode); // has no role here
        // Forged cross-site posts.
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(members + "/grant", grant)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(members + "/revoke", grant)).StatusCode);

        Assert.Equal(before, await org.TuplesAsync());
        Assert.Equal(theirsBefore, await other.TuplesAsync());
    }

    internal static Task<HttpResponseMessage> GrantAsync(Person caller, string membersPage, Subject subject, string role) =>
        caller.Browser.PostFromAsync(membersPage, membersPage + "/grant", new Dictionary<string, string> { ["subject"] = subject.ToString(), ["role"] = role });

    internal static Task<HttpResponseMessage> RevokeAsync(Person caller, string membersPage, Subject subject) =>
        caller.Browser.PostFromAsync(membersPage, membersPage + "/revoke", new Dictionary<string, string> { ["subject"] = subject.ToString() });

    private async Task<SpaceRole?> SpaceRoleAsync(OrganizationFixture org, Guid space, Guid user)
    {
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            return await db.SpaceMembers.Where(m => m.SpaceId == space && m.UserId == user).Select(m => (SpaceRole?)m.Role).SingleOrDefaultAsync(Ct);
        }
    }
}

public sealed class SpaceMemberTestsOnSqlite(SqliteHost host) : SpaceMemberTests(host), IClassFixture<SqliteHost>;

public sealed class SpaceMemberTestsOnPostgres(PostgresHost host) : SpaceMemberTests(host), IClassFixture<PostgresHost>;
