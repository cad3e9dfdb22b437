using System.Net;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Organizations;

/// <summary>
/// Changing a member's organization role and removing a member: through the members page's forms, authorized by the
/// engine, audited, the row and its tuple changed together; the last owner kept, also against concurrent changes —
/// on each provider.
/// </summary>
public abstract class MemberManagementTests(KastellHost host)
{
    [Fact]
    public async Task Owner_ChangesAMembersRole_RowTupleAndAuditTogether_AndTheNewRoleTakesEffect()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var mia = await org.JoinAsync(OrganizationRole.Member);
        Assert.Equal(HttpStatusCode.NotFound, (await mia.Browser.GetAsync($"/o/{org.Slug}/audit")).StatusCode);
        var mark = await AuditWatermark.TakeAsync(host);

        var changed = await RoleAsync(org.Owner, org, mia.Id, "Admin");

        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal($"/o/{org.Slug}/members?changed=1", TestBrowser.LocationOf(changed));
        Assert.Equal(OrganizationRole.Admin, await org.RoleOfAsync(mia.Id));
        var tuples = await org.TuplesAsync();
        Assert.Contains($"organization:{org.Id:D}#admin@user:{mia.Id:D}", tuples);
        Assert.DoesNotContain($"organization:{org.Id:D}#member@user:{mia.Id:D}", tuples);
        var (code, output) = await org.DriftAsync();
        Assert.True(code == 0, output);
        var audited = Assert.Single(await mark.NewEventsAsync(), e => e.Type == OrganizationEvents.MemberRoleChanged);
        Assert.Contains("\"from\":\"Member\"", audited.Details, StringComparison.Ordinal);
        Assert.Contains("\"to\":\"Admin\"", audited.Details, StringComparison.Ordinal);
        // Mia's very next request is decided with the new role.
        Assert.Equal(HttpStatusCode.OK, (await mia.Browser.GetAsync($"/o/{org.Slug}/audit")).StatusCode);
    }

    [Fact]
    public async Task Admin_ManagesMembers_ButCannotMakeOrUnmakeOwners()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var adam = await org.JoinAsync(OrganizationRole.Admin);
        var mia = await org.JoinAsync(OrganizationRole.Member);

        Assert.Equal(HttpStatusCode.Redirect, (await RoleAsync(adam, org, mia.Id, "Auditor")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RoleAsync(adam, org, mia.Id, "Owner")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RoleAsync(adam, org, org.Owner.Id, "Member")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RemoveAsync(adam, org, org.Owner.Id)).StatusCode);

        Assert.Equal(OrganizationRole.Auditor, await org.RoleOfAsync(mia.Id));
        Assert.Equal(OrganizationRole.Owner, await org.RoleOfAsync(org.Owner.Id));
        // The page offers an admin no owner role and no form on the owner's row.
        await adam.Browser.GetAsync($"/o/{org.Slug}/members");
        Assert.DoesNotContain($"/members/{org.Owner.Id}/role", adam.Browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"Owner\"", adam.Browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLastOwner_CanBeNeitherDemotedNorRemoved_AndTheRefusalIsAudited()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var mark = await AuditWatermark.TakeAsync(host);

        var demoted = await RoleAsync(org.Owner, org, org.Owner.Id, "Admin");
        var removed = await RemoveAsync(org.Owner, org, org.Owner.Id);

        Assert.Equal(HttpStatusCode.Conflict, demoted.StatusCode);
        Assert.Contains("only owner cannot be removed or given another role", org.Owner.Browser.LastPage, StringComparison.Ordinal); // the status page says why
        Assert.Equal(HttpStatusCode.Conflict, removed.StatusCode);
        Assert.Equal(OrganizationRole.Owner, await org.RoleOfAsync(org.Owner.Id));
        Assert.Contains($"organization:{org.Id:D}#owner@user:{org.Owner.Id:D}", await org.TuplesAsync());
        var refusals = (await mark.NewEventsAsync()).Where(e => e.Outcome == AuditOutcome.Failed).Select(e => e.Type).ToList();
        Assert.Contains(OrganizationEvents.MemberRoleChanged, refusals);
        Assert.Contains(OrganizationEvents.MemberRevoked, refusals);
        // The page does not offer it in the first place.
        await org.Owner.Browser.GetAsync($"/o/{org.Slug}/members");
        Assert.Contains("data-testid=\"last-owner\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain($"/members/{org.Owner.Id}/remove", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoOwners_DemotingEachOtherAtTheSameMoment_LeaveExactlyOneOwner()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var bea = await org.JoinAsync(OrganizationRole.Owner);
        var ann = org.Owner;
        for (var round = 0; round < 12; round++)
        {
            var results = await Task.WhenAll(
                Task.Run(() => org.AsAsync<ChangeMemberRoleCommand, Result>(ann.Id, c => c.ExecuteAsync(bea.Id, OrganizationRole.Admin, TestContext.Current.CancellationToken))),
                Task.Run(() => org.AsAsync<ChangeMemberRoleCommand, Result>(bea.Id, c => c.ExecuteAsync(ann.Id, OrganizationRole.Admin, TestContext.Current.CancellationToken))));

            Assert.Equal(1, results.Count(r => r.Succeeded));
            Assert.Contains(results, r => r.Failure == OrganizationErrors.LastOwner || r.Failure == Failures.NotAllowed);
            await AssertOneOwnerAsync(org, ann.Id, bea.Id);
            await MakeOwnerAgainAsync(org, ann.Id, bea.Id);
        }
    }

    [Fact]
    public async Task TwoOwners_RemovingEachOtherAtTheSameMoment_LeaveExactlyOneOwner()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var ann = org.Owner;
        for (var round = 0; round < 6; round++)
        {
            var bea = await org.JoinAsync(OrganizationRole.Owner);
            var results = await Task.WhenAll(
                Task.Run(() => org.AsAsync<RemoveMemberCommand, Result>(ann.Id, c => c.ExecuteAsync(bea.Id, TestContext.Current.CancellationToken))),
                Task.Run(() => org.AsAsync<RemoveMemberCommand, Result>(bea.Id, c => c.ExecuteAsync(ann.Id, TestContext.Current.CancellationToken))));

            Assert.Equal(1, results.Count(r => r.Succeeded));
            var owners = new[] { await org.RoleOfAsync(ann.Id), await org.RoleOfAsync(bea.Id) }.Count(r => r == OrganizationRole.Owner);
            Assert.Equal(1, owners);
            if (await org.RoleOfAsync(ann.Id) is null)
            {
                // Bea won this round: she is the owner now; carry on with her.
                ann = bea;
            }

            var (code, output) = await org.DriftAsync();
            Assert.True(code == 0, output);
        }
    }

    [Fact]
    public async Task ARemovedMember_LosesAccessWithTheirNextRequest_InTheSessionTheyHaveOpen()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var space = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Kept");
        var mia = await org.JoinAsync(OrganizationRole.Member, (space, SpaceRole.Editor));
        var team = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        await Tenants.AddToTeamAsync(host, org.Id, team, Subject.Person(mia.Id));
        Assert.Equal(HttpStatusCode.OK, (await mia.Browser.GetAsync($"/o/{org.Slug}/s/kept/files")).StatusCode);
        var mark = await AuditWatermark.TakeAsync(host);

        var removed = await RemoveAsync(org.Owner, org, mia.Id);

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        // The same browser, the same session cookie: refused at once, like a stranger.
        Assert.Equal(HttpStatusCode.NotFound, (await mia.Browser.GetAsync($"/o/{org.Slug}/s/kept/files")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mia.Browser.GetAsync($"/o/{org.Slug}")).StatusCode);
        Assert.Null(await org.RoleOfAsync(mia.Id));
        Assert.DoesNotContain(await org.TuplesAsync(), t => t.EndsWith($"@user:{mia.Id:D}", StringComparison.Ordinal)); // membership, Space role, team
        var (code, output) = await org.DriftAsync();
        Assert.True(code == 0, output);
        Assert.Contains(await mark.NewEventsAsync(), e => e.Type == OrganizationEvents.MemberRevoked && e.Outcome == AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task TheEndpoints_RefuseAnonymousStrangersMembersBadInputAndForgedPosts_ChangingNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        var mia = await org.JoinAsync(OrganizationRole.Member);
        var audrey = await org.JoinAsync(OrganizationRole.Auditor);
        var role = $"/o/{org.Slug}/members/{mia.Id}/role";
        var remove = $"/o/{org.Slug}/members/{mia.Id}/remove";
        var before = await org.TuplesAsync();

        using (var anonymous = host.CreateBrowser())
        {
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await anonymous.PostAsync(role, new Dictionary<string, string> { ["role"] = "Admin" })));
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await anonymous.PostAsync(remove, new Dictionary<string, string>())));
        }

        // The owner of another organization: through the victim's organization, and with the victim's ids through their own.
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", role, new Dictionary<string, string> { ["role"] = "Admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", remove)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", $"/o/{other.Slug}/members/{mia.Id}/role", new Dictionary<string, string> { ["role"] = "Admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.PostFromAsync("/", $"/o/{other.Slug}/members/{mia.Id}/remove")).StatusCode);
        // Members without the permission: a plain member and an auditor (who reads, but does not write).
        Assert.Equal(HttpStatusCode.Forbidden, (await RoleAsync(mia, org, mia.Id, "Owner")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RoleAsync(audrey, org, mia.Id, "Admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RemoveAsync(audrey, org, mia.Id)).StatusCode);
        // Bad input: not a role, a number, a combination, nothing; someone who is not a member.
        foreach (var bad in new[] { "Overlord", "3", "Admin, Owner", "admin", "" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await RoleAsync(org.Owner, org, mia.Id, bad)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await RoleAsync(org.Owner, org, other.Owner.Id, "Admin")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RemoveAsync(org.Owner, org, other.Owner.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.PostFromAsync($"/o/{org.Slug}/members", $"/o/{org.Slug}/members/not-a-guid/remove")).StatusCode);
        // A forged cross-site post: the owner's cookies, no token.
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(role, new Dictionary<string, string> { ["role"] = "Admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(remove)).StatusCode);

        Assert.Equal(OrganizationRole.Member, await org.RoleOfAsync(mia.Id));
        Assert.Equal(OrganizationRole.Owner, await other.RoleOfAsync(other.Owner.Id));
        Assert.Equal(before, await org.TuplesAsync());
    }

    internal static Task<HttpResponseMessage> RoleAsync(Person caller, OrganizationFixture org, Guid member, string role) =>
        caller.Browser.PostFromAsync($"/o/{org.Slug}/members", $"/o/{org.Slug}/members/{member}/role", new Dictionary<string, string> { ["role"] = role });

    internal static Task<HttpResponseMessage> RemoveAsync(Person caller, OrganizationFixture org, Guid member) =>
        caller.Browser.PostFromAsync($"/o/{org.Slug}/members", $"/o/{org.Slug}/members/{member}/remove");

    private static async Task AssertOneOwnerAsync(OrganizationFixture org, params Guid[] people)
    {
        var roles = new List<OrganizationRole?>();
        foreach (var person in people)
        {
            roles.Add(await org.RoleOfAsync(person));
        }

        Assert.Equal(1, roles.Count(r => r == OrganizationRole.Owner));
        var tuples = await org.TuplesAsync();
        Assert.Equal(1, tuples.Count(t => t.StartsWith($"organization:{org.Id:D}#owner@", StringComparison.Ordinal)));
    }

    /// <summary>Whoever is still the owner makes the other an owner again, for the next round.</summary>
    private static async Task MakeOwnerAgainAsync(OrganizationFixture org, Guid a, Guid b)
    {
        var (owner, demoted) = await org.RoleOfAsync(a) == OrganizationRole.Owner ? (a, b) : (b, a);
        var result = await org.AsAsync<ChangeMemberRoleCommand, Result>(owner, c => c.ExecuteAsync(demoted, OrganizationRole.Owner, TestContext.Current.CancellationToken));
        Assert.True(result.Succeeded, result.Failure?.Code);
    }
}

public sealed class MemberManagementTestsOnSqlite(SqliteHost host) : MemberManagementTests(host), IClassFixture<SqliteHost>;

public sealed class MemberManagementTestsOnPostgres(PostgresHost host) : MemberManagementTests(host), IClassFixture<PostgresHost>;
