using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>The session list: see your browsers, end one, end all others — and nobody else's.</summary>
public abstract partial class SessionTests(KastellHost host)
{
    [Fact]
    public async Task SessionList_ShowsBothBrowsers_AndRevokingOneSignsItOut()
    {
        using var laptop = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(laptop);
        using var phone = host.CreateBrowser();
        await Journeys.SignInAsync(phone, user);

        await laptop.GetAsync("/account/sessions");
        var handles = RevokeForms().Matches(laptop.LastPage!).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("this browser", laptop.LastPage, StringComparison.Ordinal);
        var other = Assert.Single(handles); // the current session has no revoke button

        var revoke = await laptop.SubmitAsync("/account/sessions", "revoke-" + other, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Contains("The session has ended", laptop.LastPage, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await phone.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task SignOutEverywhereElse_KeepsOnlyThisBrowser()
    {
        using var a = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(a);
        using var b = host.CreateBrowser();
        await Journeys.SignInAsync(b, user);

        await a.SubmitAsync("/account/sessions", "revoke-others", new Dictionary<string, string>());

        Assert.Contains("1 other session ended.", a.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await b.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task AnotherUsersSessionHandle_RevokesNothing()
    {
        using var alice = host.CreateBrowser();
        var a = await Journeys.SignUpAndEnrolAsync(alice);
        using var alicePhone = host.CreateBrowser();
        await Journeys.SignInAsync(alicePhone, a);
        await alice.GetAsync("/account/sessions");
        var aliceOther = RevokeForms().Match(alice.LastPage!).Groups[1].Value;
        using var mallory = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(mallory);

        await mallory.GetAsync("/account/sessions");
        var forged = await mallory.PostAsync("/account/sessions", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = mallory.AnyAntiforgeryToken(),
            ["_handler"] = "revoke-" + aliceOther,
        });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode); // no such form for Mallory: Blazor refuses the post
        Assert.Equal(HttpStatusCode.OK, (await alicePhone.GetAsync($"/o/{a.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_CannotSeeSessions()
    {
        using var browser = host.CreateBrowser();
        var response = await browser.GetAsync("/account/sessions");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"_handler\" value=\"revoke-([0-9a-f]{20})\"")]
    private static partial Regex RevokeForms();
}

public sealed class SessionTestsOnSqlite(SqliteHost host) : SessionTests(host), IClassFixture<SqliteHost>;

public sealed class SessionTestsOnPostgres(PostgresHost host) : SessionTests(host), IClassFixture<PostgresHost>;
