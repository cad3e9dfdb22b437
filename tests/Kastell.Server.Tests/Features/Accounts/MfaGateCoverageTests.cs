using System.Net;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// Mandatory MFA, for every address the application answers: a session signed in with the password alone (not yet
/// enrolled) is sent to enrolment from every page and endpoint, enumerated from the endpoint data source, except
/// the few listed here that it needs on the way (each with the reason). A page added later is covered without
/// anyone remembering this test; a page let through the gate by mistake fails it.
/// </summary>
public sealed class MfaGateCoverageTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private const string EnrolPath = "/account/mfa/setup";

    /// <summary>Paths a password-only session may reach, with the reason.</summary>
    private static readonly Dictionary<string, string> OpenBeforeEnrolment = new()
    {
        [EnrolPath] = "the enrolment itself",
        ["/account/sign-out"] = "leaving without enrolling",
        ["/account/sign-in"] = "signing in as someone else",
        ["/account/sign-in/mfa"] = "part of signing in",
        ["/account/sign-in/recovery"] = "part of signing in",
        ["/account/sign-in/sso"] = "signing in as someone else, through the organization's identity provider",
        ["/account/confirm-email"] = "the link in the confirmation mail works before enrolment",
        ["/account/confirm-email/resend"] = "asking for that mail again",
        ["/culture"] = "switching the display language",
        ["/health/live"] = "probe for the operator, no user data",
        ["/health/ready"] = "probe for the operator, no user data",
        ["/error"] = "the error page",
        ["/not-found"] = "the 404 page",
    };

    /// <summary>Static files a password-only session may load (the enrolment page's stylesheet and icon).</summary>
    private static readonly string[] OpenStaticPrefixes = ["/css/", "/favicon"];

    [Fact]
    public async Task EveryPageAndEndpoint_SendsAPasswordOnlySession_ToEnrolment()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail("unenrolled");
        var orgName = "Gate " + Guid.NewGuid().ToString("N")[..8];
        await Journeys.SignUpAndSignInAsync(browser, email, orgName);
        var slug = Slugs.From(orgName);
        var org = await Tenants.OrganizationIdAsync(host, slug);
        // A Space of their own organization: the route resolves, so only the gate stands between them and the page.
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            db.Spaces.Add(new Space { Id = Guid.NewGuid(), OrganizationId = org, Slug = "walled", Name = "Walled", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["org"] = slug,
            ["space"] = "walled",
            ["spaceSlug"] = "walled",
            ["id"] = Guid.NewGuid().ToString(),
            ["userId"] = Guid.NewGuid().ToString(),
            ["framework"] = Guid.NewGuid().ToString(),
            ["connection"] = Guid.NewGuid().ToString(),
            ["organization"] = Guid.NewGuid().ToString("N"), // the SAML ACS URL names the organization by id
            ["requirement"] = Guid.NewGuid().ToString(),
            ["member"] = "user:" + Guid.NewGuid().ToString("D"),
            ["extension"] = "csv",
            ["path"] = "js/passkeys.js",
        };
        var problems = new List<string>();
        var checkedPaths = 0;
        foreach (var endpoint in (await AppEndpoint.DiscoverAsync(host)).DistinctBy(e => e.Route))
        {
            var path = endpoint.Path(values);
            if (OpenBeforeEnrolment.ContainsKey(path) || OpenStaticPrefixes.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post }.Where(m => m == HttpMethod.Get ? endpoint.AcceptsGet : endpoint.AcceptsPost))
            {
                using var request = new HttpRequestMessage(method, path);
                if (method == HttpMethod.Post)
                {
                    request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "", ["_handler"] = endpoint.FormNames.FirstOrDefault() ?? "" });
                }

                using var response = await browser.Client.SendAsync(request, TestContext.Current.CancellationToken);
                checkedPaths++;
                // The API never reads the session cookie (ADR 0019): to a cookie it answers 401 (token endpoints) or,
                // for its public documents (the OpenAPI document, the reference), the gate's 403 — never the content.
                var expected = path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)
                    ? response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    : response.StatusCode == HttpStatusCode.Redirect && TestBrowser.LocationOf(response) == EnrolPath;
                if (!expected)
                {
                    problems.Add($"{method} {path} ({endpoint.Route}) answered {(int)response.StatusCode} {TestBrowser.LocationOf(response)} to a password-only session; expected a redirect to {EnrolPath} (401 or 403 under /api) (or list it, with the reason, in {nameof(OpenBeforeEnrolment)}).");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(checkedPaths > 20, $"only {checkedPaths} requests: the endpoint discovery found too little");
        // Still signed in (not merely thrown out): enrolment answers, so every redirect above was the gate's.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(EnrolPath)).StatusCode);
    }
}
