using Kastell.Server.Tests.Features.AuditTrail;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>A host whose clock the test moves; links keep their configured lifetime of one hour.</summary>
public interface ILinkClockHost
{
    ShiftedClock Clock { get; }
}

/// <summary>
/// Confirmation and reset links expire after their lifetime (one hour). The token providers measure it on the host's
/// <see cref="TimeProvider"/>, so the test moves the clock instead of waiting.
/// </summary>
public abstract class ExpiredLinkTests<THost>(THost host)
    where THost : KastellHost, ILinkClockHost
{
    private static readonly TimeSpan LinkLifetime = LinkClockSetup.LinkLifetime;

    [Fact]
    public async Task ExpiredConfirmationAndResetLinks_SayTheyHaveExpired_AndChangeNothing()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail("slow");
        await Journeys.SignUpAsync(browser, email, "Slow Org");
        var confirm = Mails.LinkTo(await Mails.WaitAsync(host, email, "Confirm your e-mail address"), "/account/confirm-email");
        await browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        var reset = Mails.LinkTo(await Mails.WaitAsync(host, email, "Reset your Kastell password"), "/account/reset-password");

        // Fresh, and still a minute before its end, the link works (so what follows is expiry, not a broken link).
        var issued = host.Clock.Offset;
        await browser.GetAsync(reset);
        Assert.Contains("value=\"reset-password\"", browser.LastPage, StringComparison.Ordinal);
        host.Clock.Offset = issued + LinkLifetime - TimeSpan.FromMinutes(1);
        await browser.GetAsync(reset);
        Assert.Contains("value=\"reset-password\"", browser.LastPage, StringComparison.Ordinal);

        host.Clock.Offset = issued + LinkLifetime + TimeSpan.FromMinutes(1);

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

internal static class LinkClockSetup
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    public static IEnumerable<KeyValuePair<string, string?>> Settings => [new("Kastell:Email:LinkLifetime", LinkLifetime.ToString())];

    public static void Apply(IWebHostBuilder builder, ILinkClockHost host) =>
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(host.Clock));
}

public sealed class LinkClockSqliteHost(SmtpSink mail) : SqliteHost(mail), ILinkClockHost
{
    public ShiftedClock Clock { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => LinkClockSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        LinkClockSetup.Apply(builder, this);
    }
}

public sealed class LinkClockPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), ILinkClockHost
{
    public ShiftedClock Clock { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => LinkClockSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        LinkClockSetup.Apply(builder, this);
    }
}

public sealed class ExpiredLinkTestsOnSqlite(LinkClockSqliteHost host) : ExpiredLinkTests<LinkClockSqliteHost>(host), IClassFixture<LinkClockSqliteHost>;

public sealed class ExpiredLinkTestsOnPostgres(LinkClockPostgresHost host) : ExpiredLinkTests<LinkClockPostgresHost>(host), IClassFixture<LinkClockPostgresHost>;
