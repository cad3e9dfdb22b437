using System.Net;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Security;

/// <summary>
/// A host with a tiny per-client limit on secret-checking posts, whose test clients can say which address they come
/// from (the in-memory test server has none): each test case gets a rate-limit window of its own.
/// </summary>
public sealed class PerClientRateLimitHost(SmtpSink mail) : SqliteHost(mail)
{
    public const int Limit = 4;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Kastell:RateLimits:AuthenticationPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        ClientAddress.Enable(builder);
    }

    /// <summary>A browser that comes from <paramref name="address"/> (a documentation address, RFC 5737).</summary>
    public TestBrowser CreateBrowser(string address)
    {
        var browser = CreateBrowser();
        MoveTo(browser, address);
        return browser;
    }

    public static void MoveTo(TestBrowser browser, string address) => ClientAddress.MoveTo(browser, address);
}

/// <summary>
/// Every post that checks a secret or creates an account is rate-limited per client, not only the sign-in form:
/// forgot-password, sign-up, re-authentication and invitation posts over the limit get 429.
/// </summary>
public sealed class RateLimitCoverageTests(PerClientRateLimitHost host) : IClassFixture<PerClientRateLimitHost>
{
    [Theory]
    [InlineData("forgot-password", "192.0.2.11")]
    [InlineData("sign-up", "192.0.2.12")]
    [InlineData("reauthentication", "192.0.2.13")]
    [InlineData("invitation", "192.0.2.14")]
    public async Task PostsBeyondTheLimit_AreRefusedWith429(string kind, string address)
    {
        var post = await ArrangeAsync(kind, address);
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < PerClientRateLimitHost.Limit + 2; i++)
        {
            statuses.Add(await post(i));
        }

        // Within the limit the application answers (a form with its message, or a redirect); beyond it, 429 only.
        Assert.All(statuses.Take(PerClientRateLimitHost.Limit), s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{kind}: {string.Join(", ", statuses)}"));
        Assert.All(statuses.Skip(PerClientRateLimitHost.Limit), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    /// <summary>Sets up what the kind of post needs (from other addresses) and returns how to send the i-th post from <paramref name="address"/>.</summary>
    private async Task<Func<int, Task<HttpStatusCode>>> ArrangeAsync(string kind, string address)
    {
        var browser = host.CreateBrowser(address);
        switch (kind)
        {
            case "forgot-password":
                return async i => (await browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = Journeys.UniqueEmail("forgot") })).StatusCode;
            case "sign-up":
                return async i => (await Journeys.SignUpAsync(browser, Journeys.UniqueEmail("spray"), "Spray " + Guid.NewGuid().ToString("N")[..8])).StatusCode;
            case "reauthentication":
            {
                // The person signs up and enrols from another address (three posts of its own window).
                PerClientRateLimitHost.MoveTo(browser, "198.51.100.13");
                var user = await Journeys.SignUpAndEnrolAsync(browser);
                PerClientRateLimitHost.MoveTo(browser, address);
                return async i => (await browser.SubmitAsync("/account/security", "recovery-codes", new Dictionary<string, string>
                {
                    ["Codes.Password"] = "not the password " + i,
                    ["Codes.Code"] = "000000",
                })).StatusCode;
            }
            case "invitation":
            {
                using var owner = host.CreateBrowser("198.51.100.14");
                var user = await Journeys.SignUpAndEnrolAsync(owner);
                var email = Journeys.UniqueEmail("invited");
                Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(owner, user.OrganizationSlug, email, OrganizationRole.Member)).StatusCode);
                var link = Mails.LinkTo(await Mails.WaitAsync(host, email, "You have been invited"), "/invitations/accept");
                // Passwords the form refuses (they do not match): every post is answered with the form again.
                return async i => (await browser.SubmitAsync(link, "invitation-sign-up", new Dictionary<string, string>
                {
                    ["SignUpInput.DisplayName"] = "Invited Person",
                    ["SignUpInput.Password"] = Journeys.GoodPassword,
                    ["SignUpInput.ConfirmPassword"] = "something else " + i,
                })).StatusCode;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
