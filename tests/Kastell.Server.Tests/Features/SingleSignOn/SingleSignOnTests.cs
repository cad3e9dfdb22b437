using System.Net;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Features.SingleSignOn.Connections;
using Kastell.Server.Features.SingleSignOn.SignIn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Http.Outbound;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// Single sign-on with OpenID Connect against a real provider (oidc-provider on loopback), as people use it: an admin
/// connects the organization (and every refusal of that form: anonymous, another organization, a member without the
/// permission, bad input, an unreachable or broken provider), then people sign in through it — the account created
/// just in time with the connection's role as a tuple, the provider's MFA counted only when mapped, an existing account
/// linked only inside the organization. On each provider.
/// </summary>
public abstract class SingleSignOnTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_AddsAConnection_SeesTheRedirectUri_TheSecretEncrypted_AndRemovesIt()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await org.Owner.Browser.GetAsync(SsoFlows.Page(org));
        Assert.Contains("No single sign-on connection yet. Register Kastell as a client", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var mark = await AuditWatermark.TakeAsync(host);

        var (connection, client) = await SsoFlows.ConnectAsync(host, org, role: "Auditor", amr: "mfa otp");
        Assert.Equal(OidcTestProvider.Issuer, connection.Issuer);
        Assert.Equal(client.ClientId, connection.ClientId);
        Assert.Equal(client.ClientSecret, connection.ClientSecret); // decrypted on read
        Assert.Equal(OrganizationRole.Auditor, connection.DefaultRole);
        Assert.Equal("mfa otp", connection.MfaAmrValues);
        var stored = await RawSecretsAsync(org.Id);
        Assert.NotEmpty(stored);
        Assert.All(stored, s => Assert.DoesNotContain(client.ClientSecret, s, StringComparison.Ordinal));
        Assert.DoesNotContain(client.ClientSecret, org.Owner.Browser.LastPage, StringComparison.Ordinal);

        var removed = await org.Owner.Browser.PostFromAsync(SsoFlows.Page(org), $"/o/{org.Slug}/sso/{connection.Id}/remove");
        Assert.Equal(SsoFlows.Page(org) + "?removed=1", TestBrowser.LocationOf(removed));
        Assert.Equal(0, await CountAsync(org.Id));
        var written = await mark.NewEventsAsync();
        var added = Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoConnectionAdded);
        Assert.DoesNotContain(client.ClientSecret, added.Details!, StringComparison.Ordinal);
        Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoConnectionRemoved && e.ActorId == org.Owner.Id.ToString());
    }

    [Fact]
    public async Task TheConnectionForm_RefusesBadInput_AndUnusableProviders_StoringNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var page = SsoFlows.Page(org);
        var cases = new (Dictionary<string, string> Form, HttpStatusCode Status, string Message)[]
        {
            (SsoFlows.Form("A", "http://idp.example.com", "c", "s"), HttpStatusCode.BadRequest, "Enter the issuer as an https URL"),
            (SsoFlows.Form("A", "https://user:pw@idp.example.com", "c", "s"), HttpStatusCode.BadRequest, "Enter the issuer as an https URL"),
            (SsoFlows.Form("A", "javascript:alert(1)", "c", "s"), HttpStatusCode.BadRequest, "Enter the issuer as an https URL"),
            (SsoFlows.Form("A", OidcTestProvider.Issuer, "c", "s", role: "Owner"), HttpStatusCode.BadRequest, "Choose Member, Auditor or Admin"),
            (SsoFlows.Form("A", OidcTestProvider.Issuer, "c", "s", amr: "mfa \"x\""), HttpStatusCode.BadRequest, "The amr and acr values must be words"),
            (SsoFlows.Form("A", OidcTestProvider.Issuer, "", "s"), HttpStatusCode.BadRequest, "Client id: is required"),
            (SsoFlows.Form("A", $"http://127.0.0.1:{Infrastructure.FreeLoopbackPort.Find()}", "c", "s"), HttpStatusCode.UnprocessableEntity, "discovery document could not be fetched"),
            (SsoFlows.Form("A", OidcTestProvider.Issuer + "/broken", "c", "s"), HttpStatusCode.UnprocessableEntity, "discovery document is not usable"),
            (SsoFlows.Form("A", OidcTestProvider.Issuer + "/hmac-only", "c", "s"), HttpStatusCode.UnprocessableEntity, "discovery document is not usable"),
            (SsoFlows.Form("A", OidcTestProvider.Issuer + "/garbage", "c", "s"), HttpStatusCode.UnprocessableEntity, "discovery document"),
        };
        foreach (var (form, status, message) in cases)
        {
            var response = await org.Owner.Browser.SubmitAsync(page, "add-oidc", form);
            Assert.True(status == response.StatusCode, $"{form["Input.Issuer"]}: {(int)response.StatusCode}");
            Assert.Contains(message, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        // German, too.
        await SsoFlows.SwitchToGermanAsync(org.Owner.Browser, page);
        await org.Owner.Browser.SubmitAsync(page, "add-oidc", SsoFlows.Form("A", OidcTestProvider.Issuer + "/broken", "c", "s"));
        Assert.Contains("Nichts wurde gespeichert.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(org.Id));
    }

    [Fact]
    public async Task ManagingConnections_IsRefused_ToAnonymous_OtherOrganizations_AndMembersWithoutThePermission()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        var (connection, _) = await SsoFlows.ConnectAsync(host, org);
        var member = await org.JoinAsync(OrganizationRole.Member);
        var auditor = await org.JoinAsync(OrganizationRole.Auditor);
        var remove = $"/o/{org.Slug}/sso/{connection.Id}/remove";

        using var anonymous = host.CreateBrowser();
        var anonymousPage = await anonymous.GetAsync(SsoFlows.Page(org));
        Assert.Equal(HttpStatusCode.Redirect, anonymousPage.StatusCode);
        Assert.Contains("/account/sign-in", TestBrowser.LocationOf(anonymousPage), StringComparison.Ordinal);

        foreach (var person in new[] { member, auditor })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await person.Browser.GetAsync(SsoFlows.Page(org))).StatusCode);
            Assert.DoesNotContain(connection.ClientId, person.Browser.LastPage, StringComparison.Ordinal);
            await person.Browser.GetAsync($"/o/{org.Slug}");
            Assert.Equal(HttpStatusCode.Forbidden, (await person.Browser.PostAsync(remove, new Dictionary<string, string> { ["__RequestVerificationToken"] = person.Browser.AnyAntiforgeryToken() })).StatusCode);
        }

        // Another organization's owner: not their organization (404), and their own organization has no such connection.
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.GetAsync(SsoFlows.Page(org))).StatusCode);
        var viaOwn = await other.Owner.Browser.PostFromAsync(SsoFlows.Page(other), $"/o/{other.Slug}/sso/{connection.Id}/remove");
        Assert.Equal(HttpStatusCode.NotFound, viaOwn.StatusCode);

        // The owner without the antiforgery token.
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(remove)).StatusCode);
        Assert.Equal(1, await CountAsync(org.Id));
    }

    [Fact]
    public async Task FirstSignIn_CreatesTheAccountJustInTime_WithTheDefaultRoleTuple_AndMappedMfaCounts()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var (connection, _) = await SsoFlows.ConnectAsync(host, org, role: "Auditor", amr: "mfa otp");
        var email = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org));
        var mark = await AuditWatermark.TakeAsync(host);

        using var browser = host.CreateBrowser();
        var done = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("alice-" + Guid.NewGuid().ToString("N"), email, Name: "Alice Example", Amr: "pwd otp"));
        Assert.Equal("/", TestBrowser.LocationOf(done));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{org.Slug}")).StatusCode); // no enrolment asked: the provider's MFA counts

        var userId = await Tenants.UserIdAsync(host, email);
        Assert.Contains($"organization:{org.Id:D}#auditor@user:{userId:D}", await org.TuplesAsync());
        Assert.Equal(OrganizationRole.Auditor, await org.RoleOfAsync(userId));
        var written = await mark.NewEventsAsync();
        Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoAccountProvisioned && e.TargetId == userId.ToString());
        var signedIn = Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoSignInSucceeded);
        Assert.Contains("\"mfa\":\"provider\"", signedIn.Details, StringComparison.Ordinal);
        Assert.Contains("\"amr\":\"pwd otp\"", signedIn.Details, StringComparison.Ordinal);
        Assert.Contains("\"account\":\"provisioned\"", signedIn.Details, StringComparison.Ordinal);
        Assert.Equal(org.Id, signedIn.OrganizationId);
        Assert.Equal(connection.Id.ToString(), ConnectionOf(signedIn));
    }

    [Fact]
    public async Task WithoutMfaMapping_KastellsOwnSecondFactorIsEnrolled_AndTheReturningPersonIsAskedForIt()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await SsoFlows.ConnectAsync(host, org, amr: "");
        var email = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org));
        var subject = "bob-" + Guid.NewGuid().ToString("N");

        using var browser = host.CreateBrowser();
        var done = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin(subject, email, Amr: "pwd otp mfa"));
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(done));
        var blocked = await browser.GetAsync($"/o/{org.Slug}");
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(blocked));
        var userId = await Tenants.UserIdAsync(host, email);
        Assert.Contains($"organization:{org.Id:D}#member@user:{userId:D}", await org.TuplesAsync());

        var (secret, _) = await Journeys.EnrolAsync(browser);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{org.Slug}")).StatusCode);

        // Next time: the provider again, then Kastell's authenticator code.
        using var again = host.CreateBrowser();
        var second = await SsoFlows.SignInAsync(again, org.Slug, new OidcTestLogin(subject, email, Amr: "pwd"));
        Assert.Equal("/account/sign-in/mfa", TestBrowser.LocationOf(second));
        Assert.False(await SsoFlows.HasSessionAsync(again));
        await again.GetAsync("/account/sign-in/mfa");
        var verified = await again.SubmitShownAsync("/account/sign-in/mfa", "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = TestBrowser.NextTotpCode(secret) });
        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"/o/{org.Slug}")).StatusCode);
    }

    [Fact]
    public async Task AnExistingMember_IsNotLinkedByEmail_EvenWithTheProvidersMfa_NorAnOwnerOfAnotherOrganization()
    {
        // The takeover this prevents: an admin's own provider asserts a colleague's address with "mfa"; the colleague
        // (here also the owner of another organization) would be signed in everywhere without their own factor.
        await using var org = await OrganizationFixture.CreateAsync(host);
        await SsoFlows.ConnectAsync(host, org, amr: "mfa");
        await using var other = await OrganizationFixture.CreateAsync(host);
        // In a domain the organization verified: just-in-time creation would be allowed for a new address there.
        using var member = await SsoFlows.SignedUpAsync(host, SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org), "member"));
        await Tenants.AddMemberAsync(host, org.Id, member.User.Email, OrganizationRole.Member);
        await Tenants.AddMemberAsync(host, other.Id, member.User.Email, OrganizationRole.Owner);
        var mark = await AuditWatermark.TakeAsync(host);

        using var browser = host.CreateBrowser();
        var login = new OidcTestLogin("m-" + Guid.NewGuid().ToString("N"), member.User.Email, Amr: "mfa");
        var refused = await SsoFlows.SignInAsync(browser, org.Slug, login);
        Assert.Equal("/account/sign-in/sso?refused=account-exists", TestBrowser.LocationOf(refused));
        Assert.False(await SsoFlows.HasSessionAsync(browser));
        // Nothing was linked on the way: the same identity is refused again (a linked one would sign in as returning).
        using (var again = host.CreateBrowser())
        {
            Assert.Equal("/account/sign-in/sso?refused=account-exists", TestBrowser.LocationOf(await SsoFlows.SignInAsync(again, org.Slug, login)));
        }

        var written = await mark.NewEventsAsync();
        var refusals = written.Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(member.Id.ToString(), r.TargetId)); // a member of this organization: named in its chain
        Assert.DoesNotContain(written, e => e.Type is var t && (t == SingleSignOnEvents.SsoSignInSucceeded || t == SingleSignOnEvents.SsoAccountProvisioned));
    }

    [Fact]
    public async Task AMadeUpCallbackAddress_IsNotFound_AndTheSiteKeepsAnswering()
    {
        using var browser = host.CreateBrowser();
        var callback = await browser.GetAsync($"/sso/oidc/{Guid.NewGuid():N}/{Guid.NewGuid():N}/callback?code=x&state=y");
        Assert.Equal(HttpStatusCode.NotFound, callback.StatusCode);
        // Once, such a callback added a scheme whose options could not be built: every later request of the site failed.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/sign-in")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/sign-in/sso")).StatusCode);
    }

    [Fact]
    public async Task AnAccountOutsideTheOrganization_IsNotTakenOver_AndAnUnverifiedEmail_CreatesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var (connection, _) = await SsoFlows.ConnectAsync(host, org);
        var domain = await SsoFlows.VerifyDomainAsync(host, org);
        // Signed up with their password (owner of their own organization), in a domain this organization verified.
        using var outsider = await SsoFlows.SignedUpAsync(host, SsoFlows.EmailIn(domain, "outsider"));
        var mark = await AuditWatermark.TakeAsync(host);

        using var browser = host.CreateBrowser();
        var refused = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("x-" + Guid.NewGuid().ToString("N"), outsider.User.Email));
        Assert.Equal("/account/sign-in/sso?refused=account-exists", TestBrowser.LocationOf(refused));
        await browser.GetAsync(TestBrowser.LocationOf(refused)!);
        Assert.Contains("single sign-on does not take over an existing account", browser.LastPage, StringComparison.Ordinal);
        Assert.False(await SsoFlows.HasSessionAsync(browser));
        Assert.Null(await org.RoleOfAsync(outsider.Id));

        var unverified = SsoFlows.EmailIn(domain, "unverified");
        var second = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("u-" + Guid.NewGuid().ToString("N"), unverified, EmailVerified: false));
        Assert.Equal("/account/sign-in/sso?refused=email-not-verified", TestBrowser.LocationOf(second));
        Assert.False(await SsoFlows.HasSessionAsync(browser));
        Assert.False(await UserExistsAsync(unverified));

        var written = await mark.NewEventsAsync();
        var reasons = written.Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused).Select(e => e.Details!).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Contains(reasons, d => d.Contains("account-exists", StringComparison.Ordinal));
        // Outside the organization: the account is not named in this organization's chain.
        Assert.DoesNotContain(written, e => e.TargetId == outsider.Id.ToString());
        Assert.Contains(reasons, d => d.Contains("email-not-verified", StringComparison.Ordinal));
        Assert.All(written.Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused), e => Assert.Equal(AuditOutcome.Failed, e.Outcome));
        Assert.DoesNotContain(written, e => e.Type == SingleSignOnEvents.SsoSignInSucceeded);
        Assert.All(written.Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused), e => Assert.Contains(connection.Id.ToString(), e.Details!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSsoPage_IsReachableFromSignIn_InBothLanguages_AndAnUnknownOrganizationGetsOneAnswer()
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in");
        Assert.Contains("href=\"/account/sign-in/sso\"", browser.LastPage, StringComparison.Ordinal);
        var unknown = await SsoFlows.StartAsync(browser, "no-such-organization-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal("/account/sign-in/sso?unknown=1", TestBrowser.LocationOf(unknown));

        await using var org = await OrganizationFixture.CreateAsync(host); // exists, but has no connection: the same answer
        Assert.Equal("/account/sign-in/sso?unknown=1", TestBrowser.LocationOf(await SsoFlows.StartAsync(browser, org.Slug)));

        await SsoFlows.SwitchToGermanAsync(browser, "/account/sign-in/sso");
        await browser.GetAsync("/account/sign-in/sso?unknown=1");
        Assert.Contains("Mit Single Sign-on anmelden", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Für diese Adresse oder diesen Namen ist kein Single Sign-on verfügbar.", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/sso/start", new Dictionary<string, string> { ["organization"] = org.Slug })).StatusCode);
    }

    [Fact]
    public async Task ARedirectToAnInternalAddress_IsNotFollowed_AndTheHandlersBackchannelIsTheSafeOne()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        // The provider (on loopback, allowed here) answers discovery with a redirect to the metadata service or a private network.
        foreach (var target in new[] { "169.254.169.254", "10.0.0.1", "fd00::1" })
        {
            var response = await org.Owner.Browser.SubmitAsync(SsoFlows.Page(org), "add-oidc", SsoFlows.Form("A", $"{OidcTestProvider.Issuer}/moved-to/{target}", "c", "s"));
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{target}: {(int)response.StatusCode}");
            Assert.Contains("discovery document could not be fetched", org.Owner.Browser.LastPage, StringComparison.Ordinal);

            using var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(OidcDiscovery.HttpClientName);
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"{OidcTestProvider.Issuer}/moved-to/{target}/.well-known/openid-configuration", Ct));
            Assert.IsType<OutboundAddressRefusedException>(refused.InnerException);
        }

        Assert.Equal(0, await CountAsync(org.Id));

        // The OpenID Connect handler fetches metadata and keys and redeems the code through the same kind of handler.
        var (connection, _) = await SsoFlows.ConnectAsync(host, org);
        var scheme = await host.Services.GetRequiredService<SsoSchemes>().EnsureAsync(org.Id, connection.Id);
        var options = host.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(scheme);
        var handler = Assert.IsType<SocketsHttpHandler>(options.BackchannelHttpHandler);
        Assert.NotNull(handler.ConnectCallback);
        Assert.False(handler.UseProxy);
    }

    [Fact]
    public async Task TheRedirectUri_IsBuiltFromThePublicBaseUrl_NotFromAForgedHostHeader()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var (connection, _) = await SsoFlows.ConnectAsync(host, org, amr: "mfa");
        var email = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org));
        var expected = KastellHost.PublicBaseUrl + connection.CallbackPath;

        using var browser = host.CreateBrowser();
        browser.Client.DefaultRequestHeaders.Host = "attacker.example";
        // The provider accepts only the registered URI — in the pushed authorization request and again when the code is
        // redeemed — and sends the browser back to it (SignInAsync checks the callback is on the public base URL).
        var done = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("h-" + Guid.NewGuid().ToString("N"), email, Amr: "mfa"));
        Assert.Equal("/", TestBrowser.LocationOf(done));

        // The address the admin registers at the provider, too.
        org.Owner.Browser.Client.DefaultRequestHeaders.Host = "attacker.example";
        await org.Owner.Browser.GetAsync(SsoFlows.Page(org));
        Assert.Contains(expected, WebUtility.HtmlDecode(org.Owner.Browser.LastPage), StringComparison.Ordinal);
        Assert.DoesNotContain("attacker.example", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    internal static string? ConnectionOf(AuditEvent e) =>
        System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.GetProperty("connection").GetString();

    private async Task<int> CountAsync(Guid organizationId)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.Set<SsoConnection>().CountAsync(Ct);
        }
    }

    private async Task<bool> UserExistsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<KastellUser>().AnyAsync(u => u.NormalizedEmail == email.ToUpperInvariant(), Ct);
        }
    }

    private async Task<List<string>> RawSecretsAsync(Guid organizationId) =>
        [.. (await RawDatabase.TenantColumnAsync(host, organizationId, "SELECT \"ClientSecret\" FROM \"SsoConnections\"")).Select(s => s!)];
}

public sealed class SingleSignOnTestsOnSqlite(SsoSqliteHost host) : SingleSignOnTests(host), IClassFixture<SsoSqliteHost>;

public sealed class SingleSignOnTestsOnPostgres(SsoPostgresHost host) : SingleSignOnTests(host), IClassFixture<SsoPostgresHost>;
