using System.Net;
using Kastell.Server.Tests.Features.AuditTrail;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>A host whose clock the test moves, with a 30-minute idle and a 2-hour absolute session lifetime.</summary>
public sealed class MovableClockHost(SmtpSink mail) : SqliteHost(mail)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(2);

    public ShiftedClock Clock { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Kastell:Sessions:IdleTimeout", IdleTimeout.ToString()),
        new("Kastell:Sessions:AbsoluteTimeout", AbsoluteTimeout.ToString()),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>
/// A session ends after its absolute lifetime however busy it is kept: activity only postpones the idle timeout. The
/// clock is moved (the host's <see cref="TimeProvider"/>), nothing waits for real time.
/// </summary>
public sealed class SessionLifetimeTests(MovableClockHost host) : IClassFixture<MovableClockHost>
{
    [Fact]
    public async Task BusySession_EndsAfterTheAbsoluteLifetime()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var page = $"/o/{user.OrganizationSlug}";
        var start = host.Clock.Offset;
        var step = TimeSpan.FromMinutes(25); // less than the idle timeout: the session is never idle that long

        // Busy until just before the absolute lifetime: every request is answered.
        var elapsed = TimeSpan.Zero;
        while (elapsed + step < MovableClockHost.AbsoluteTimeout)
        {
            elapsed += step;
            host.Clock.Offset = start + elapsed;
            var busy = await browser.GetAsync(page);
            Assert.True(busy.StatusCode == HttpStatusCode.OK, $"after {elapsed} the session already ended ({(int)busy.StatusCode} {TestBrowser.LocationOf(busy)})");
        }

        Assert.True(elapsed >= MovableClockHost.AbsoluteTimeout - step, "the loop must reach the end of the lifetime");
        host.Clock.Offset = start + elapsed + step; // past the absolute lifetime, only one step after the last request

        var ended = await browser.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(ended), StringComparison.Ordinal);
        // Ended for good: turning the clock back does not revive it.
        host.Clock.Offset = start + elapsed;
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(page)).StatusCode);
    }
}
