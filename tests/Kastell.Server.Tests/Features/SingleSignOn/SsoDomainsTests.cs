using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Domains;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// Single sign-on and verified domains (ADR 0020, 0021): an account is created just in time only for an address in a
/// domain the connection's own organization verified, and a work address in such a domain leads to the organization's
/// provider (home-realm discovery) — while an address without single sign-on gets one neutral answer, whether or not
/// its domain or organization exists. On each provider, against the real test OpenID provider.
/// </summary>
public abstract class SsoDomainsTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JustInTimeAccounts_AreCreatedOnlyInADomainTheOrganizationVerified()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        var (connection, _) = await SsoFlows.ConnectAsync(host, org, amr: "mfa");
        var othersDomain = await SsoFlows.VerifyDomainAsync(host, other);
        var pendingDomain = (await DomainsData.AddAsync(host, org.Id)).Name; // claimed, its TXT record not found yet
        var mark = await AuditWatermark.TakeAsync(host);

        var outside = new[]
        {
            Journeys.UniqueEmail("nobodys"), // a domain no organization holds
            SsoFlows.EmailIn(othersDomain), // another organization's verified domain
            SsoFlows.EmailIn(pendingDomain), // this organization's claim, not verified
        };
        foreach (var email in outside)
        {
            using var browser = host.CreateBrowser();
            var refused = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("d-" + Guid.NewGuid().ToString("N"), email, Amr: "mfa"));
            Assert.Equal("/account/sign-in/sso?refused=domain-not-verified", TestBrowser.LocationOf(refused));
            Assert.False(await SsoFlows.HasSessionAsync(browser), email);
            Assert.False(await UserExistsAsync(email), email);
        }

        var written = await mark.NewEventsAsync();
        var refusals = written.Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, e =>
        {
            Assert.Equal("domain-not-verified", Detail(e, "reason"));
            Assert.Equal(connection.Id.ToString(), Detail(e, "connection"));
            Assert.Equal(AuditOutcome.Failed, e.Outcome);
            Assert.Equal(org.Id, e.OrganizationId);
        });
        Assert.DoesNotContain(written, e => e.Type == SingleSignOnEvents.SsoAccountProvisioned || e.Type == SingleSignOnEvents.SsoSignInSucceeded || e.Type == AccountEvents.AccountCreated);
        Assert.DoesNotContain(outside, email => written.Any(e => e.Details?.Contains(email, StringComparison.OrdinalIgnoreCase) == true));

        // The message, in both languages.
        using var reader = host.CreateBrowser();
        await reader.GetAsync("/account/sign-in/sso?refused=domain-not-verified");
        Assert.Contains("is not in a domain your organization has verified", reader.LastPage, StringComparison.Ordinal);
        await SsoFlows.SwitchToGermanAsync(reader, "/account/sign-in/sso");
        await reader.GetAsync("/account/sign-in/sso?refused=domain-not-verified");
        Assert.Contains("liegt in keiner Domain, die Ihre Organisation verifiziert hat", reader.LastPage, StringComparison.Ordinal);

        // Once the organization verifies the domain, the same provider creates the account there.
        var verified = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org));
        using var person = host.CreateBrowser();
        Assert.Equal("/", TestBrowser.LocationOf(await SsoFlows.SignInAsync(person, org.Slug, new OidcTestLogin("v-" + Guid.NewGuid().ToString("N"), verified, Amr: "mfa"))));
        Assert.Equal(OrganizationRole.Member, await org.RoleOfAsync(await Tenants.UserIdAsync(host, verified)));
    }

    [Fact]
    public async Task AWorkAddress_InAVerifiedDomainWithSso_LeadsToTheOrganizationsProvider()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var (connection, _) = await SsoFlows.ConnectAsync(host, org, amr: "mfa");
        var domain = await SsoFlows.VerifyDomainAsync(host, org);
        var email = SsoFlows.EmailIn(domain, "anna");

        using var browser = host.CreateBrowser();
        // The address as typed, with the domain in capitals: the domain is compared in its stored form.
        var challenge = await SsoFlows.StartAsync(browser, email[..email.IndexOf('@')] + "@" + domain.ToUpperInvariant());
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.StartsWith(OidcTestProvider.Issuer + "/auth?", challenge.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("client_id=" + Uri.EscapeDataString(connection.ClientId), challenge.Headers.Location.Query, StringComparison.Ordinal);

        // The whole way: the address leads to the provider, the provider signs the person in, the account is created.
        using var person = host.CreateBrowser();
        var done = await SsoFlows.SignInAsync(person, email, new OidcTestLogin("anna-" + Guid.NewGuid().ToString("N"), email, Amr: "mfa"));
        Assert.Equal("/", TestBrowser.LocationOf(done));
        Assert.Equal(OrganizationRole.Member, await org.RoleOfAsync(await Tenants.UserIdAsync(host, email)));
    }

    [Fact]
    public async Task AnAddressWithoutSso_GetsOneNeutralAnswer_WhetherOrNotItsDomainOrOrganizationExists()
    {
        await using var withoutSso = await OrganizationFixture.CreateAsync(host); // verified domain, no connection
        var verifiedWithoutSso = await SsoFlows.VerifyDomainAsync(host, withoutSso);
        await using var unverified = await OrganizationFixture.CreateAsync(host); // connection, domain only claimed
        await SsoFlows.ConnectAsync(host, unverified);
        var claimed = (await DomainsData.AddAsync(host, unverified.Id)).Name;

        var inputs = new[]
        {
            SsoFlows.EmailIn(DomainsData.UniqueName("unknown")),
            SsoFlows.EmailIn(verifiedWithoutSso),
            SsoFlows.EmailIn(claimed),
            "not an address@" + verifiedWithoutSso,
            "@" + verifiedWithoutSso,
            new string('a', 250) + "@" + verifiedWithoutSso,
        };
        using var browser = host.CreateBrowser();
        string? shown = null;
        foreach (var input in inputs)
        {
            var answer = await SsoFlows.StartAsync(browser, input);
            Assert.True(answer.StatusCode == HttpStatusCode.Redirect, input);
            Assert.Equal("/account/sign-in/sso?unknown=1", TestBrowser.LocationOf(answer));
            Assert.False(answer.Headers.Contains("Set-Cookie"), input); // no correlation cookie: nothing was started
            await browser.GetAsync(TestBrowser.LocationOf(answer)!);
            var page = TestBrowser.WithoutTokens(browser.LastPage!);
            Assert.Equal(shown ?? page, page);
            shown = page;
        }

        Assert.Contains("Single sign-on is not available for this address or name.", shown, StringComparison.Ordinal);
        await SsoFlows.SwitchToGermanAsync(browser, "/account/sign-in/sso");
        await browser.GetAsync("/account/sign-in/sso?unknown=1");
        Assert.Contains("Für diese Adresse oder diesen Namen ist kein Single Sign-on verfügbar.", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Geschäftliche E-Mail-Adresse oder Organisation", browser.LastPage, StringComparison.Ordinal);

        // The form needs its antiforgery token, as every other sign-in post.
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/sso/start", new Dictionary<string, string> { ["organization"] = SsoFlows.EmailIn(claimed) })).StatusCode);
    }

    private static string? Detail(AuditEvent e, string name) =>
        System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.GetProperty(name).GetString();

    private async Task<bool> UserExistsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<KastellUser>().AnyAsync(u => u.NormalizedEmail == email.ToUpperInvariant(), Ct);
        }
    }
}

public sealed class SsoDomainsTestsOnSqlite(SsoSqliteHost host) : SsoDomainsTests(host), IClassFixture<SsoSqliteHost>;

public sealed class SsoDomainsTestsOnPostgres(SsoPostgresHost host) : SsoDomainsTests(host), IClassFixture<SsoPostgresHost>;
