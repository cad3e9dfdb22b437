using System.Net;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>
/// Two Kastell processes on one database, as in a blue-green deployment: a relation changed through process A holds on
/// the very next request that process B serves — no decision, tuple or membership is remembered across requests or
/// processes. The member browses only B (after warming B up with the access it is about to lose); every change goes
/// through A's own services, committed before B's next request.
/// </summary>
public abstract class CrossProcessRevocationTests(KastellHost a) : IAsyncLifetime
{
    private SecondInstance _b = default!;

    public ValueTask InitializeAsync()
    {
        _b = new SecondInstance(a);
        _ = _b.Services; // started before the test: B's caches, pools and compiled queries are as warm as can be
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _b.DisposeAsync();

    [Fact]
    public async Task ASpaceRoleRevokedThroughA_IsRefusedByB_OnItsNextRequest()
    {
        var (slug, org, space, member, browser) = await MemberOnBAsync();
        using var session = browser;
        var files = $"/o/{slug}/s/shared/files";
        await AssertServedAsync(browser, files, HttpStatusCode.OK, times: 3);

        await Relations.RemoveFromSpaceAsync(a, org, space, member);

        await AssertServedAsync(browser, files, HttpStatusCode.NotFound);
        await AssertServedAsync(browser, $"/o/{slug}/s/shared", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{slug}")).StatusCode); // still a member of the organization

        // And back: a grant through A holds on B's next request too (nothing negative is remembered either).
        await Relations.GrantAsync(a, org, $"space:{space:D}", "viewer", $"user:{member:D}");
        await AssertServedAsync(browser, files, HttpStatusCode.OK);
    }

    [Fact]
    public async Task AMemberRemovedThroughA_IsRefusedByB_OnTheNextRequestOfTheirOpenSession()
    {
        var (slug, org, _, member, browser) = await MemberOnBAsync();
        using var session = browser;
        await AssertServedAsync(browser, $"/o/{slug}", HttpStatusCode.OK, times: 2);
        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.OK, times: 2);

        // The organization membership only: the Space role row and tuple stay, and must no longer count.
        await Relations.RemoveFromOrganizationAsync(a, org, member);

        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.NotFound);
        await AssertServedAsync(browser, $"/o/{slug}", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/security")).StatusCode); // the session itself is still open
    }

    [Fact]
    public async Task ATeamMembershipEndedThroughA_IsRefusedByB_OnItsNextRequest()
    {
        var (slug, org, space, member, browser) = await MemberOnBAsync(spaceRole: false);
        using var session = browser;
        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.NotFound);
        var outer = await Relations.CreateTeamAsync(a, org);
        var inner = await Relations.CreateTeamAsync(a, org);
        await Relations.GrantTeamSpaceRoleAsync(a, org, outer, space, SpaceRole.Editor);
        await Relations.GrantAsync(a, org, $"team:{outer:D}", "member", $"team:{inner:D}#member"); // nested: inner ⊂ outer
        await Relations.AddToTeamAsync(a, org, inner, member);
        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.OK, times: 3);

        await Relations.RemoveFromTeamAsync(a, org, inner, member);

        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ATupleDeletedInTheDatabase_IsRefusedByB_OnItsNextRequest()
    {
        // No Kastell code runs for this change (an operator's SQL, or a process of another build): nothing in this
        // test process is told of it, so a cache anywhere in it — even one shared by both hosts — would be caught.
        var (slug, org, space, member, browser) = await MemberOnBAsync();
        using var session = browser;
        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.OK, times: 3);

        var deleted = await RawDatabase.TenantExecuteAsync(a, org,
            "DELETE FROM authz_tuples WHERE \"StoreId\" = @store AND \"Object\" = @object AND \"Relation\" = 'editor' AND \"User\" = @user",
            ("store", org.ToString("D")), ("object", $"space:{space:D}"), ("user", $"user:{member:D}"));
        Assert.Equal(1, deleted);

        await AssertServedAsync(browser, $"/o/{slug}/s/shared/files", HttpStatusCode.NotFound);
    }

    /// <summary>An owner on A with the Space "Shared"; a member signed in on B, an editor of it unless <paramref name="spaceRole"/> is false.</summary>
    private async Task<(string Slug, Guid Org, Guid Space, Guid Member, TestBrowser Browser)> MemberOnBAsync(bool spaceRole = true)
    {
        using var ownerBrowser = a.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var org = await Tenants.OrganizationIdAsync(a, owner.OrganizationSlug);
        var space = await Tenants.CreateSpaceAsync(a, ownerBrowser, owner.OrganizationSlug, "Shared");
        var browser = _b.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(browser);
        await Tenants.AddMemberAsync(a, org, member.Email, OrganizationRole.Member, spaceRole ? (space, SpaceRole.Editor) : null);
        return (owner.OrganizationSlug, org, space, await Tenants.UserIdAsync(a, member.Email), browser);
    }

    private static async Task AssertServedAsync(TestBrowser browser, string path, HttpStatusCode expected, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            var response = await browser.GetAsync(path);
            Assert.True(response.StatusCode == expected, $"GET {path} on B answered {(int)response.StatusCode}, expected {(int)expected} (request {i + 1} of {times})");
        }
    }
}

public sealed class CrossProcessRevocationTestsOnPostgres(PostgresHost host) : CrossProcessRevocationTests(host), IClassFixture<PostgresHost>;

public sealed class CrossProcessRevocationTestsOnSqlite(SqliteHost host) : CrossProcessRevocationTests(host), IClassFixture<SqliteHost>;
