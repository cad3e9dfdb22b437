using System.Diagnostics;
using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>A clock that stands still where the test puts it (real time until then), so an "hour" is exactly one.</summary>
public sealed class PinnedClock : TimeProvider
{
    public DateTimeOffset? Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now ?? System.GetUtcNow();
}

/// <summary>A host whose clock the test sets, behind a trusted proxy, counting the password hashes it computes.</summary>
public interface IThrottleHost
{
    PinnedClock Clock { get; }

    PasswordHashCounter Hashes { get; }
}

internal static class ThrottleHostSetup
{
    public const string Proxy = "192.0.2.10";

    public static IEnumerable<KeyValuePair<string, string?>> Settings => [new("Kastell:ForwardedHeaders:KnownProxies", Proxy)];

    /// <param name="iterations">A low work factor for the test of a thousand guesses; null keeps the real one (timing).</param>
    public static void Apply(IWebHostBuilder builder, IThrottleHost host, int? iterations)
    {
        ClientAddress.Enable(builder);
        host.Hashes.Install(builder, iterations);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(host.Clock));
    }
}

public sealed class ThrottleSqliteHost(SmtpSink mail) : SqliteHost(mail), IThrottleHost
{
    public PinnedClock Clock { get; } = new();

    public PasswordHashCounter Hashes { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => ThrottleHostSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        ThrottleHostSetup.Apply(builder, this, iterations: 1_000);
    }
}

public sealed class ThrottlePostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), IThrottleHost
{
    public PinnedClock Clock { get; } = new();

    public PasswordHashCounter Hashes { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => ThrottleHostSetup.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        ThrottleHostSetup.Apply(builder, this, iterations: 1_000);
    }
}

/// <summary>
/// Guessing is bounded per account, not by a lockout anyone could trigger: a thousand wrong passwords from fifty
/// addresses over an hour get at most 100 of them checked, and the owner, at the browser they signed in from before,
/// signs in with password and code at once. The hour passes on the host's clock, not in real time.
/// </summary>
public abstract class SignInThrottleTests<THost>(THost host)
    where THost : KastellHost, IThrottleHost
{
    private const int Attempts = 1_000;
    private const int Sources = 50;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThousandWrongPasswords_From50Addresses_CheckAtMost100AnHour_AndNeverKeepTheOwnerOut()
    {
        host.Clock.Now = null;
        using var owner = ViaProxy(host.CreateBrowser(), "198.51.100.1");
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        await Journeys.SignInAsync(owner, user); // the owner's own browser, known from now on
        var firstSignIn = Stopwatch.StartNew();
        var (userId, storedHash) = await StoredHashAsync(user.Email);
        var mark = await AuditWatermark.TakeAsync(host);
        var checkedBefore = host.Hashes.VerificationsAgainst(storedHash);

        var attackers = new List<TestBrowser>();
        for (var i = 0; i < Sources; i++)
        {
            var attacker = ViaProxy(host.CreateBrowser(), $"203.0.113.{i + 1}");
            Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/account/sign-in")).StatusCode);
            attackers.Add(attacker);
        }

        var start = host.Clock.GetUtcNow();
        var step = TimeSpan.FromHours(1) / Attempts;
        for (var i = 0; i < Attempts; i++)
        {
            host.Clock.Now = start + (step * i);
            var attacker = attackers[i % Sources];
            var response = await attacker.SubmitShownAsync("/account/sign-in", "sign-in", new Dictionary<string, string>
            {
                ["Input.Email"] = user.Email,
                ["Input.Password"] = $"guess {i} {Guid.NewGuid():N}",
            });
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"attempt {i} answered {(int)response.StatusCode}");
        }

        // Within the hour (and a step short of its end): at most 100 guesses were checked against the real hash.
        var guesses = host.Hashes.VerificationsAgainst(storedHash) - checkedBefore;
        Assert.InRange(guesses, 1, 100);
        TestContext.Current.SendDiagnosticMessage($"{Attempts} wrong passwords from {Sources} addresses in one hour: {guesses} checked.");

        // Even the right password from yet another address is refused unchecked while the budget is spent ...
        using var stranger = ViaProxy(host.CreateBrowser(), "203.0.113.200");
        var right = await Journeys.PasswordStepAsync(stranger, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("Sign-in failed", stranger.LastPage, StringComparison.Ordinal);

        // ... but the owner, at their own browser, is in at once: password and a fresh code, no waiting.
        await WaitForANewTotpStepAsync(firstSignIn);
        await Journeys.SignInAsync(owner, user);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        // The system chain's record (each of these is also copied into the owner's organization chain, ADR 0017).
        var events = (await mark.NewEventsAsync()).Where(e => e.TargetId == userId.ToString() && e.OrganizationId is null).ToList();
        Assert.Equal(Attempts + 1, events.Count(e => e.Type == AccountEvents.SignInFailed));
        Assert.Contains(events, e => e.Type == AccountEvents.SignInThrottled);
        Assert.Contains(events, e => e.Type == AccountEvents.SignInSucceeded);
        foreach (var attacker in attackers)
        {
            attacker.Dispose();
        }
    }

    [Fact]
    public async Task TheBudgetRefills_SoAStrangerWithTheRightPasswordGetsInAfterAWhile()
    {
        host.Clock.Now = null;
        using var owner = ViaProxy(host.CreateBrowser(), "198.51.100.2");
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        using var attacker = ViaProxy(host.CreateBrowser(), "203.0.113.201");
        for (var i = 0; i < 30; i++)
        {
            await Journeys.PasswordStepAsync(attacker, user.Email, $"wrong {i}");
        }

        using var newDevice = ViaProxy(host.CreateBrowser(), "198.51.100.3");
        var refused = await Journeys.PasswordStepAsync(newDevice, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode); // spent: the form again, not the second step

        host.Clock.Now = host.Clock.GetUtcNow() + TimeSpan.FromMinutes(1); // more than one interval (40 s: 90 an hour after the burst of 10): a guess is free again
        var accepted = await Journeys.PasswordStepAsync(newDevice, user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.StartsWith("/account/sign-in/mfa", TestBrowser.LocationOf(accepted), StringComparison.Ordinal);
    }

    private static TestBrowser ViaProxy(TestBrowser browser, string client)
    {
        ClientAddress.MoveTo(browser, ThrottleHostSetup.Proxy);
        ClientAddress.ForwardFor(browser, client);
        return browser;
    }

    /// <summary>Codes are single-use per 30-second step: the owner's second sign-in needs the next step's code.</summary>
    private static async Task WaitForANewTotpStepAsync(Stopwatch sinceLastSignIn)
    {
        var wait = TimeSpan.FromSeconds(31) - sinceLastSignIn.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, Ct);
        }
    }

    private async Task<(Guid Id, string Hash)> StoredHashAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email, Ct);
            return (user.Id, user.PasswordHash!);
        }
    }
}

public sealed class SignInThrottleTestsOnSqlite(ThrottleSqliteHost host) : SignInThrottleTests<ThrottleSqliteHost>(host), IClassFixture<ThrottleSqliteHost>;

public sealed class SignInThrottleTestsOnPostgres(ThrottlePostgresHost host) : SignInThrottleTests<ThrottlePostgresHost>(host), IClassFixture<ThrottlePostgresHost>;
