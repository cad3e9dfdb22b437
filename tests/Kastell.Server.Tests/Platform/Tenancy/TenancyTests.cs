using System.Net;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Tenancy;

/// <summary>Organizations and Spaces: creation, roles, and isolation between tenants — on each database provider.</summary>
public abstract class TenancyTests(KastellHost host)
{
    [Fact]
    public async Task Owner_CreatesSpace_AndLandsOnIt()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        var response = await CreateSpaceAsync(browser, user.OrganizationSlug, "Produkt Öko");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = TestBrowser.LocationOf(response)!;
        Assert.Equal($"/o/{user.OrganizationSlug}/s/produkt-oeko", location);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(location)).StatusCode);
        Assert.Contains("<h1>Produkt Öko</h1>", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherTenantsOrganization_AnswersLikeOneThatDoesNotExist()
    {
        using var alice = host.CreateBrowser();
        var a = await Journeys.SignUpAndEnrolAsync(alice);
        await CreateSpaceAsync(alice, a.OrganizationSlug, "Secret Space");
        using var bob = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(bob, confirmEmail: false);

        var foreignOrg = await bob.GetAsync($"/o/{a.OrganizationSlug}");
        var foreignBody = TestBrowser.WithoutTokens(bob.LastPage!);
        var missingOrg = await bob.GetAsync("/o/no-such-organization");
        var missingBody = TestBrowser.WithoutTokens(bob.LastPage!);
        var foreignSpace = await bob.GetAsync($"/o/{a.OrganizationSlug}/s/secret-space");
        var foreignApi = await bob.GetAsync($"/api/v1/o/{a.OrganizationSlug}");

        Assert.Equal(HttpStatusCode.NotFound, foreignOrg.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingOrg.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignSpace.StatusCode);
        // The API never reads the session cookie (ADR 0019): 401 whatever the organization; a token of another
        // organization gets 404 there (the API attack matrix).
        Assert.Equal(HttpStatusCode.Unauthorized, foreignApi.StatusCode);
        Assert.Equal(missingBody, foreignBody);
        // Bob's address is unconfirmed: the layout's reminder must be on both 404 pages, not on one by chance.
        Assert.Contains("data-testid=\"unconfirmed-email\"", missingBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret Space", foreignBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        using var browser = host.CreateBrowser();
        var response = await browser.GetAsync("/o/some-org/s/some-space");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/sign-in", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_CannotCreateSpaces_NorEnterSpacesWithoutARole()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        await CreateSpaceAsync(ownerBrowser, owner.OrganizationSlug, "Owner Only");
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        await AddMemberAsync(owner.OrganizationSlug, member.Email, OrganizationRole.Member);

        var page = await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("create-space", memberBrowser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Owner Only", memberBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/s/owner-only")).StatusCode);

        // A forged post of the owner's form is refused by the command, not just hidden in the UI.
        await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}");
        var forged = await memberBrowser.PostAsync($"/o/{owner.OrganizationSlug}", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = memberBrowser.AnyAntiforgeryToken(),
            ["_handler"] = "create-space",
            ["Input.Name"] = "Sneaky",
        });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode); // the form's permission (can_create_space), refused before the page runs
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Spaces.IgnoreQueryFilters().AnyAsync(s => s.Name == "Sneaky", TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task QueryFilter_HidesOtherTenantsRows_EvenForDirectQueries()
    {
        using var alice = host.CreateBrowser();
        var a = await Journeys.SignUpAndEnrolAsync(alice);
        await CreateSpaceAsync(alice, a.OrganizationSlug, "Alpha Space");
        using var bob = host.CreateBrowser();
        var b = await Journeys.SignUpAndEnrolAsync(bob);
        var orgA = await OrganizationIdAsync(a.OrganizationSlug);
        var orgB = await OrganizationIdAsync(b.OrganizationSlug);

        var (scopeB, dbB) = host.OpenDb(orgB);
        await using (scopeB)
        {
            Assert.Empty(await dbB.Spaces.Where(s => s.OrganizationId == orgA).ToListAsync(TestContext.Current.CancellationToken));
            Assert.Empty(await dbB.OrganizationMembers.Where(m => m.OrganizationId == orgA).ToListAsync(TestContext.Current.CancellationToken));
        }

        var (scopeNone, dbNone) = host.OpenDb();
        await using (scopeNone)
        {
            Assert.Empty(await dbNone.Spaces.ToListAsync(TestContext.Current.CancellationToken)); // no tenant: nothing
        }

        var (scopeA, dbA) = host.OpenDb(orgA);
        await using (scopeA)
        {
            Assert.Single(await dbA.Spaces.ToListAsync(TestContext.Current.CancellationToken));
        }
    }

    internal static Task<HttpResponseMessage> CreateSpaceAsync(TestBrowser browser, string org, string name) =>
        browser.SubmitAsync($"/o/{org}", "create-space", new Dictionary<string, string> { ["Input.Name"] = name });

    private async Task<Guid> OrganizationIdAsync(string slug)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(TestContext.Current.CancellationToken);
        }
    }

    private async Task AddMemberAsync(string slug, string email, OrganizationRole role)
    {
        var orgId = await OrganizationIdAsync(slug);
        var (scope, db) = host.OpenDb(orgId);
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(orgId, userId, role, TestContext.Current.CancellationToken);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
    }
}

public sealed class TenancyTestsOnSqlite(SqliteHost host) : TenancyTests(host), IClassFixture<SqliteHost>;

public sealed class TenancyTestsOnPostgres(PostgresHost host) : TenancyTests(host), IClassFixture<PostgresHost>;
