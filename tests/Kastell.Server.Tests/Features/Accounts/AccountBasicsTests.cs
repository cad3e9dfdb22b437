using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Tests.Architecture;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// The account's first contact: a session before MFA enrolment sees the enrolment and nothing to navigate to; the
/// recovery codes come with a text file to download, a print button and an "I have stored them" step before going
/// on; the security page leads to account deletion, styled as the destructive action it is.
/// </summary>
public abstract partial class AccountBasicsTests(KastellHost host)
{
    private static readonly string[] NavigationTargets = ["/account/sessions", "/account/password", "/account/security"];

    [Fact]
    public async Task BeforeEnrolment_TheShellOffersNoNavigation_OnlySigningOutAndTheLanguage()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndSignInAsync(browser, Journeys.UniqueEmail(), "Org " + Guid.NewGuid().ToString("N")[..8]);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/mfa/setup")).StatusCode);

        var header = Header().Match(browser.LastPage!).Value;
        Assert.NotEmpty(header);
        Assert.DoesNotContain("href=", header, StringComparison.Ordinal);
        Assert.Contains("action=\"/account/sign-out\"", header, StringComparison.Ordinal);
        Assert.All(NavigationTargets, target => Assert.DoesNotContain($"href=\"{target}\"", browser.LastPage, StringComparison.Ordinal));
        Assert.Contains("id=\"culture-select\"", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterEnrolment_TheShellNavigates()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);

        await browser.GetAsync("/account/security");

        var header = Header().Match(browser.LastPage!).Value;
        Assert.All(NavigationTargets, target => Assert.Contains($"href=\"{target}\"", header, StringComparison.Ordinal));
        Assert.Contains("class=\"brand\" href=\"/\"", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecoveryCodesAtEnrolment_CanBeDownloadedAndPrinted_AndContinuingAsksWhetherTheyAreStored()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        await Journeys.SignUpAndSignInAsync(browser, email, "Org " + Guid.NewGuid().ToString("N")[..8]);
        await browser.GetAsync("/account/mfa/setup");
        var secret = TestBrowser.TotpSecretFrom(browser.LastPage!);

        await browser.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string> { ["Input.Code"] = TestBrowser.TotpCode(secret) });

        var page = browser.LastPage!;
        var codes = TestBrowser.RecoveryCodesFrom(page);
        Assert.Equal(10, codes.Count);
        AssertDownloadHolds(page, codes, email);
        AssertPrintable(page);
        // No way on without the confirmation: the continue button sits in a form whose box must be ticked.
        Assert.DoesNotContain("href=\"/account/session/renew\"", page, StringComparison.Ordinal);
        var step = StoredStep().Match(page);
        Assert.True(step.Success, "No 'I have stored them' step.");
        Assert.Equal("/account/session/renew", step.Groups["action"].Value);
        Assert.Matches("<input type=\"checkbox\" name=\"stored\" value=\"yes\" required", step.Value);
        Assert.Contains("I have stored these codes somewhere safe.", step.Value, StringComparison.Ordinal);
        Assert.Equal("/", TestBrowser.LocationOf(await browser.GetAsync("/account/session/renew?stored=yes")));
    }

    [Fact]
    public async Task NewRecoveryCodes_OnTheSecurityPage_CanBeDownloadedAndPrinted_AndConfirmedAsStored()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        await browser.SubmitAsync("/account/security", "recovery-codes", new Dictionary<string, string>
        {
            ["Codes.Password"] = user.Password,
            ["Codes.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
        });

        var codes = TestBrowser.RecoveryCodesFrom(browser.LastPage!);
        Assert.Equal(10, codes.Count);
        AssertDownloadHolds(browser.LastPage!, codes, user.Email);
        AssertPrintable(browser.LastPage!);
        Assert.Equal("/account/security", StoredStep().Match(browser.LastPage!).Groups["action"].Value);
    }

    [Fact]
    public async Task TheSecurityPage_LeadsToAccountDeletion_StyledAsDestructive()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);

        await browser.GetAsync("/account/security");

        var link = Regex.Match(browser.LastPage!, "<a [^>]*href=\"/account/delete\"[^>]*>");
        Assert.True(link.Success, "The security page does not link to account deletion.");
        Assert.Contains("class=\"button danger\"", link.Value, StringComparison.Ordinal);
        Assert.Contains("class=\"danger-zone", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/delete")).StatusCode);
        Assert.Contains("<button type=\"submit\" class=\"danger\">", browser.LastPage, StringComparison.Ordinal);
        // The class means something: the stylesheet paints it in the danger colour.
        var css = await File.ReadAllTextAsync(Path.Combine(ArchitectureTests.RepositoryRoot(), "src", "Kastell.Server", "wwwroot", "css", "kastell.css"), TestContext.Current.CancellationToken);
        Assert.Matches(@"button\.danger, \.button\.danger \{ background: var\(--danger\)", css);
    }

    private static void AssertDownloadHolds(string page, IReadOnlyList<string> codes, string email)
    {
        var download = Download().Match(page);
        Assert.True(download.Success, "No download link for the recovery codes.");
        Assert.Equal("kastell-recovery-codes.txt", download.Groups["name"].Value);
        var text = Uri.UnescapeDataString(WebUtilityDecode(download.Groups["data"].Value));
        Assert.All(codes, code => Assert.Contains(code, text, StringComparison.Ordinal));
        Assert.Contains(email, text, StringComparison.Ordinal);
    }

    private static void AssertPrintable(string page)
    {
        Assert.Matches("<button type=\"button\" class=\"secondary\" data-print[^>]*>Print</button>", page);
        Assert.Contains("js/print", page, StringComparison.Ordinal);
    }

    private static string WebUtilityDecode(string value) => System.Net.WebUtility.HtmlDecode(value);

    [GeneratedRegex("<header class=\"topbar\">[\\s\\S]*?</header>")]
    private static partial Regex Header();

    [GeneratedRegex("<a class=\"button secondary\" href=\"data:text/plain;charset=utf-8,(?<data>[^\"]+)\" download=\"(?<name>[^\"]+)\"")]
    private static partial Regex Download();

    [GeneratedRegex("<form method=\"get\" action=\"(?<action>[^\"]+)\"[^>]*data-testid=\"recovery-codes-stored\">[\\s\\S]*?</form>")]
    private static partial Regex StoredStep();
}

public sealed class AccountBasicsTestsOnSqlite(SqliteHost host) : AccountBasicsTests(host), IClassFixture<SqliteHost>;

public sealed class AccountBasicsTestsOnPostgres(PostgresHost host) : AccountBasicsTests(host), IClassFixture<PostgresHost>;
