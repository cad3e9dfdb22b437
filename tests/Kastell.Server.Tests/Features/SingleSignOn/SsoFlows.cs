using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Tests.Features.Domains;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>What the SSO tests do again and again: connect an organization to the test provider, sign in through it.</summary>
internal static partial class SsoFlows
{
    public static string Page(OrganizationFixture org) => $"/o/{org.Slug}/sso";

    public static Dictionary<string, string> Form(string name, string issuer, string clientId, string secret, string role = "Member", string amr = "", string acr = "") => new()
    {
        ["Input.Name"] = name,
        ["Input.Issuer"] = issuer,
        ["Input.ClientId"] = clientId,
        ["Input.ClientSecret"] = secret,
        ["Input.DefaultRole"] = role,
        ["Input.MfaAmr"] = amr,
        ["Input.MfaAcr"] = acr,
    };

    /// <summary>
    /// The admin's way: register a client at the provider, add the connection in Kastell, register the redirect URI
    /// Kastell shows at the provider.
    /// </summary>
    public static async Task<(SsoConnection Connection, OidcTestClient Client)> ConnectAsync(KastellHost host, OrganizationFixture org, string role = "Member", string amr = "")
    {
        var client = await OidcTestProvider.RegisterClientAsync("https://localhost/not-yet-known");
        var added = await org.Owner.Browser.SubmitAsync(Page(org), "add-oidc", Form("Test IdP", OidcTestProvider.Issuer, client.ClientId, client.ClientSecret, role, amr));
        Assert.Equal(Page(org) + "?added=1", TestBrowser.LocationOf(added));
        await org.Owner.Browser.GetAsync(Page(org));
        var redirectUri = WebUtility.HtmlDecode(RedirectUri().Match(org.Owner.Browser.LastPage!).Groups[1].Value);
        await OidcTestProvider.SetRedirectUriAsync(client, redirectUri);
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var connection = await db.Set<SsoConnection>().AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(KastellHost.PublicBaseUrl + connection.CallbackPath, redirectUri);
            return (connection, client);
        }
    }

    /// <summary>A domain the organization holds verified: just-in-time accounts and home-realm discovery need one.</summary>
    public static Task<string> VerifyDomainAsync(KastellHost host, OrganizationFixture org) => DomainsData.VerifiedAsync(host, org.Id);

    public static string EmailIn(string domain, string who = "sso") => $"{who}-{Guid.NewGuid():N}@{domain}";

    /// <summary>Someone who signed up with their password (and MFA) under <paramref name="email"/>, in an organization of their own.</summary>
    public static async Task<Person> SignedUpAsync(KastellHost host, string email)
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser, email: email);
        return new Person(user, browser, await Tenants.UserIdAsync(host, email));
    }

    /// <summary>From the SSO page to Kastell's answer after the provider sent the browser back.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(TestBrowser browser, string organization, OidcTestLogin login)
    {
        var challenge = await StartAsync(browser, organization);
        var authorize = challenge.Headers.Location!.AbsoluteUri;
        Assert.StartsWith(OidcTestProvider.Issuer + "/auth?", authorize, StringComparison.Ordinal);
        var callback = await OidcTestProvider.SignInAsync(authorize, login);
        Assert.StartsWith(KastellHost.PublicBaseUrl + "/sso/oidc/", callback, StringComparison.Ordinal);
        var handled = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, handled.StatusCode);
        var next = TestBrowser.LocationOf(handled)!;
        return next == "/sso/complete" ? await browser.GetAsync(next) : handled;
    }

    public static async Task<HttpResponseMessage> StartAsync(TestBrowser browser, string organization)
    {
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/sign-in/sso")).StatusCode);
        var token = browser.AnyAntiforgeryToken();
        return await browser.PostAsync("/sso/start", new Dictionary<string, string> { ["organization"] = organization, ["__RequestVerificationToken"] = token });
    }

    /// <summary>Whether the browser holds a session of any kind: without one, an account page sends it to sign in.</summary>
    public static async Task<bool> HasSessionAsync(TestBrowser browser)
    {
        var response = await browser.GetAsync("/account/sessions");
        return !(response.StatusCode == HttpStatusCode.Redirect && TestBrowser.LocationOf(response)!.Contains("/account/sign-in", StringComparison.Ordinal));
    }

    public static async Task SwitchToGermanAsync(TestBrowser browser, string page)
    {
        await browser.GetAsync(page);
        await browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = page });
    }

    [GeneratedRegex("data-testid=\"sso-redirect-uri\">([^<]+)<")]
    private static partial Regex RedirectUri();
}
