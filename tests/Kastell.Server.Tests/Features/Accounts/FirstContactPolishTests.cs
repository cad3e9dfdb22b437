using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// The polish a newcomer noticed: the members table names its members, German pages show no English Identity
/// message, plural forms are real ones, the session list names browsers and zones its times, every table looks the
/// same, and an invitation does not tell its recipient "if this wasn't you".
/// </summary>
public abstract partial class FirstContactPolishTests(KastellHost host)
{
    private const string FirefoxOnLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheMembersTable_HeadsItsNameColumnName_AndListsEveryMembersRealName()
    {
        using var owner = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        using var other = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(other);
        await Tenants.AddMemberAsync(host, await Tenants.OrganizationIdAsync(host, user.OrganizationSlug), member.Email, OrganizationRole.Member);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            await db.Users.Where(u => u.Email == member.Email).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, "Grace Hopper"), Ct);
        }

        foreach (var culture in new[] { "en", "de" })
        {
            await SwitchAsync(owner, culture);
            await owner.GetAsync($"/o/{user.OrganizationSlug}/members");
            var table = MembersTable().Match(owner.LastPage!).Value;
            Assert.Contains("<th scope=\"col\">Name</th>", table, StringComparison.Ordinal);
            Assert.DoesNotContain("Ihr Name", table, StringComparison.Ordinal);
            Assert.DoesNotContain("Your name", table, StringComparison.Ordinal);
            Assert.Contains(">Grace Hopper</td>", table, StringComparison.Ordinal);
            Assert.Contains(">Test Person</td>", table, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OnAGermanPage_IdentitysRefusalOfAnAddress_IsInGerman()
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-up");
        await SwitchAsync(browser, "de");
        var email = $"jörg-{Guid.NewGuid():N}@example.test";

        var response = await Journeys.SignUpAsync(browser, email, "Umlaut GmbH");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("enthält Zeichen, die Kastell für ein Konto nicht annimmt", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("is invalid", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Username", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSecurityPage_CountsRecoveryCodesWithARealPlural_InGerman()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);
        await SwitchAsync(browser, "de");

        await browser.GetAsync("/account/security");

        Assert.Contains("Sie haben 10 unbenutzte Wiederherstellungscodes.", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSessionList_NamesBrowserAndSystem_AndGivesTimesWithTheirZone()
    {
        using var browser = host.CreateBrowser();
        browser.Client.DefaultRequestHeaders.UserAgent.ParseAdd(FirefoxOnLinux);
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        await browser.GetAsync("/account/sessions");

        var table = Regex.Match(browser.LastPage!, "<table[\\s\\S]*?</table>").Value;
        Assert.Contains("Firefox 128 · Linux", table, StringComparison.Ordinal);
        Assert.DoesNotContain("Mozilla/5.0", table, StringComparison.Ordinal);
        var times = Times().Matches(table).ToList();
        Assert.Equal(2, times.Count);
        Assert.All(times, t => Assert.EndsWith(" UTC", t.Groups["text"].Value, StringComparison.Ordinal));
        Assert.All(times, t => Assert.EndsWith("Z", t.Groups["machine"].Value, StringComparison.Ordinal));

        // "Sign out everywhere else" with nothing else open says so, not "0 other session(s) ended".
        await browser.SubmitAsync("/account/sessions", "revoke-others", new Dictionary<string, string>());
        Assert.Contains("No other session was open.", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryTable_CarriesTheOneTableStyle()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var space = await Tenants.CreateSpaceAsync(host, browser, user.OrganizationSlug, "Tabellen");
        await Tenants.StoreFileAsync(host, await Tenants.OrganizationIdAsync(host, user.OrganizationSlug), space, "a.txt", "a"u8.ToArray());

        foreach (var page in new[] { "/account/sessions", $"/o/{user.OrganizationSlug}/audit", $"/o/{user.OrganizationSlug}/s/tabellen/files" })
        {
            await browser.GetAsync(page);
            var tables = Regex.Matches(browser.LastPage!, "<table[^>]*>").Select(m => m.Value).ToList();
            Assert.NotEmpty(tables);
            Assert.All(tables, t => Assert.Matches("class=\"table( reflow)?\"", t));
        }
    }

    [Fact]
    public async Task TheInvitationMail_DoesNotSayIfThisWasNotYou_ToSomeoneWhoDidNothing()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            await db.Users.Where(u => u.Email == user.Email).ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailConfirmed, true), Ct);
        }

        var invited = Journeys.UniqueEmail("invited");
        await InvitationTests.InviteAsync(browser, user.OrganizationSlug, invited, OrganizationRole.Member);

        var mail = await Mails.WaitAsync(host, invited, "You have been invited");
        Assert.DoesNotContain("If this was not you", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("If you did not expect this invitation", mail.TextBody, StringComparison.Ordinal);
    }

    private static async Task SwitchAsync(TestBrowser browser, string culture)
    {
        if (browser.LastPage is null)
        {
            await browser.GetAsync("/");
        }

        await browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(), ["culture"] = culture, ["returnUrl"] = "/" });
    }

    [GeneratedRegex("<table class=\"list\" data-testid=\"members\">[\\s\\S]*?</table>")]
    private static partial Regex MembersTable();

    [GeneratedRegex("<time datetime=\"(?<machine>[^\"]+)\">(?<text>[^<]+)</time>")]
    private static partial Regex Times();
}

public sealed class FirstContactPolishTestsOnSqlite(SqliteHost host) : FirstContactPolishTests(host), IClassFixture<SqliteHost>;

public sealed class FirstContactPolishTestsOnPostgres(PostgresHost host) : FirstContactPolishTests(host), IClassFixture<PostgresHost>;
