using System.Diagnostics;
using System.Net;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>A host with the real password work factor, counting hashes, whose clock the test can stop.</summary>
public sealed class TimingSqliteHost(SmtpSink mail) : SqliteHost(mail), IThrottleHost
{
    public PinnedClock Clock { get; } = new();

    public PasswordHashCounter Hashes { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => ThrottleHostSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        ThrottleHostSetup.Apply(builder, this, iterations: null);
    }
}

public sealed class TimingPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), IThrottleHost
{
    public PinnedClock Clock { get; } = new();

    public PasswordHashCounter Hashes { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => ThrottleHostSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        ThrottleHostSetup.Apply(builder, this, iterations: null);
    }
}

/// <summary>
/// The sign-in form does the same work whatever the outcome — an existing account with a wrong password, an account
/// whose guess budget is spent, an address without an account: exactly one password hash each, so the answer takes
/// as long (about 200 ms of PBKDF2) and its timing does not tell whether the account exists or is under attack. The
/// work is counted (a hasher that counts), which holds on a noisy machine; the wall-clock check is deliberately coarse.
/// </summary>
public abstract class SignInTimingTests<THost>(THost host)
    where THost : KastellHost, IThrottleHost
{
    private const int Rounds = 7;

    [Fact]
    public async Task ExistingThrottledAndUnknownAccounts_CostOneHashEach_AndAnswerAboutAsFast()
    {
        host.Clock.Now = null;
        using var setup = host.CreateBrowser();
        var existing = await Journeys.SignUpAndEnrolAsync(setup);
        using var setup2 = host.CreateBrowser();
        var throttled = await Journeys.SignUpAndEnrolAsync(setup2);

        var browsers = new Dictionary<string, TestBrowser>
        {
            ["existing"] = host.CreateBrowser(),
            ["throttled"] = host.CreateBrowser(),
            ["unknown"] = host.CreateBrowser(),
        };
        var emails = new Dictionary<string, string>
        {
            ["existing"] = existing.Email,
            ["throttled"] = throttled.Email,
            ["unknown"] = Journeys.UniqueEmail("nobody"),
        };

        // Spend the budget of the throttled account (ten at once), then stop the clock so none of it comes back.
        for (var i = 0; i < 11; i++)
        {
            await Journeys.PasswordStepAsync(browsers["throttled"], throttled.Email, $"spending guess {i}");
        }

        host.Clock.Now = host.Clock.GetUtcNow();
        foreach (var (kind, browser) in browsers)
        {
            await Journeys.PasswordStepAsync(browser, emails[kind], "warming up"); // pays any one-off cost (the dummy hash itself)
        }

        var work = browsers.Keys.ToDictionary(k => k, _ => new List<int>());
        var times = browsers.Keys.ToDictionary(k => k, _ => new List<double>());
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (kind, browser) in browsers) // interleaved, so a slow moment of the machine hits every kind
            {
                var before = host.Hashes.Total;
                var clock = Stopwatch.StartNew();
                var response = await browser.SubmitShownAsync("/account/sign-in", "sign-in", new Dictionary<string, string>
                {
                    ["Input.Email"] = emails[kind],
                    ["Input.Password"] = $"wrong password {round}",
                });
                times[kind].Add(clock.Elapsed.TotalMilliseconds);
                work[kind].Add(host.Hashes.Total - before);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains("Sign-in failed", browser.LastPage, StringComparison.Ordinal);
            }
        }

        var medians = times.ToDictionary(t => t.Key, t => Median(t.Value));
        var summary = string.Join(", ", medians.Select(m => $"{m.Key} {m.Value:F0} ms (hashes {string.Join('/', work[m.Key])})"));
        TestContext.Current.SendDiagnosticMessage("Sign-in timing medians: " + summary);
        foreach (var (kind, counts) in work)
        {
            Assert.True(counts.All(c => c == 1), $"{kind}: every attempt must compute exactly one password hash; {summary}");
        }

        // Coarse on purpose (a shared two-core machine): before, a throttled account answered about 25 times faster.
        Assert.True(medians.Values.Max() / medians.Values.Min() < 3.0, $"the medians differ by more than a factor of 3: {summary}");
        foreach (var browser in browsers.Values)
        {
            browser.Dispose();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

public sealed class SignInTimingTestsOnSqlite(TimingSqliteHost host) : SignInTimingTests<TimingSqliteHost>(host), IClassFixture<TimingSqliteHost>;

public sealed class SignInTimingTestsOnPostgres(TimingPostgresHost host) : SignInTimingTests<TimingPostgresHost>(host), IClassFixture<TimingPostgresHost>;
