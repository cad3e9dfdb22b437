using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// Confirmation and reset links expire. These hosts give links a five-second lifetime, so the test waits for real
/// time to pass instead of faking a clock the token providers may not use.
/// </summary>
public abstract class ExpiredLinkTests(KastellHost host)
{
    [Fact]
    public async Task ExpiredConfirmationAndResetLinks_SayTheyHaveExpired_AndChangeNothing()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail("slow");
        await Journeys.SignUpAsync(browser, email, "Slow Org");
        var confirm = Mails.LinkTo(await Mails.WaitAsync(host, email, "Confirm your e-mail address"), "/account/confirm-email");
        await browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        var reset = Mails.LinkTo(await Mails.WaitAsync(host, email, "Reset your Kastell password"), "/account/reset-password");

        // Fresh, the link works (so what follows is expiry, not a broken link).
        await browser.GetAsync(reset);
        Assert.Contains("value=\"reset-password\"", browser.LastPage, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);

        await browser.GetAsync(confirm);
        Assert.Contains("invalid or has expired", browser.LastPage, StringComparison.Ordinal);
        await browser.GetAsync(reset);
        Assert.Contains("invalid, has expired or has already been used", browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Users.Where(u => u.Email == email).Select(u => u.EmailConfirmed).SingleAsync(TestContext.Current.CancellationToken));
        }

        using var signIn = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(signIn, email, Journeys.GoodPassword);
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(password)); // the password is unchanged
    }
}

public sealed class ShortLinkSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Email:LinkLifetime", "00:00:05")];
}

public sealed class ShortLinkPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Email:LinkLifetime", "00:00:05")];
}

public sealed class ExpiredLinkTestsOnSqlite(ShortLinkSqliteHost host) : ExpiredLinkTests(host), IClassFixture<ShortLinkSqliteHost>;

public sealed class ExpiredLinkTestsOnPostgres(ShortLinkPostgresHost host) : ExpiredLinkTests(host), IClassFixture<ShortLinkPostgresHost>;
