using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// SAML 2.0 single sign-on against a real identity provider (samlify on loopback, tests/saml-idp): an admin adds the
/// connection from the provider's metadata (its certificate pinned, encrypted at rest) and imports Kastell's SP
/// metadata there; people sign in SP-initiated — the account created just in time only in a verified domain, never
/// linked by e-mail — and every forged, misdirected, late, replayed or unsolicited response is refused, audited with
/// the library's reason, with a neutral page and nothing created. On each provider.
/// </summary>
public abstract class SamlSignInTests(KastellHost host)
{
    private const string MfaContext = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_AddsASamlConnectionFromMetadata_TheCertificatePinnedAndEncrypted_AndGetsTheSpMetadata()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var mark = await AuditWatermark.TakeAsync(host);
        var connection = await SamlFlows.ConnectAsync(host, org, role: "Auditor", contexts: MfaContext);

        Assert.Equal(SsoProtocol.Saml, connection.Protocol);
        Assert.Equal(SamlTestProvider.EntityId, connection.Issuer);
        Assert.Equal(SamlTestProvider.BaseUrl + "/sso", connection.SamlSingleSignOnUrl);
        Assert.Equal(OrganizationRole.Auditor, connection.DefaultRole);
        Assert.Equal(MfaContext, connection.MfaAcrValues);
        var pinned = connection.SamlSigningCertificates!; // decrypted on read
        Assert.Contains(pinned.Split(' ')[0], await SamlTestProvider.MetadataAsync(), StringComparison.Ordinal);
        var stored = await RawDatabase.TenantColumnAsync(host, org.Id, "SELECT \"SamlSigningCertificates\" FROM \"SsoConnections\"");
        Assert.NotEmpty(stored);
        Assert.All(stored, s => Assert.DoesNotContain(pinned[..40], s!, StringComparison.Ordinal));

        // The SP metadata: the stable entity id and the ACS URL on the public base URL, on the page, the download and the command line.
        var acs = $"{KastellHost.PublicBaseUrl}/sso/saml/{org.Id:N}/{connection.Id:N}/acs";
        Assert.Equal($"{KastellHost.PublicBaseUrl}/sso/saml/{org.Id:N}/{connection.Id:N}", connection.SamlSpEntityId);
        await org.Owner.Browser.GetAsync(SsoFlows.Page(org));
        Assert.Contains(acs, WebUtility.HtmlDecode(org.Owner.Browser.LastPage), StringComparison.Ordinal);
        var download = await org.Owner.Browser.GetAsync($"/o/{org.Slug}/sso/{connection.Id}/saml-metadata");
        Assert.Equal("application/samlmetadata+xml", download.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"entityID=\"{connection.SamlSpEntityId}\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"Location=\"{acs}\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var (code, output) = await CliAsync("sso", "sp-metadata", "--organization", org.Slug);
        Assert.Equal(0, code);
        Assert.Equal(org.Owner.Browser.LastPage!.Trim(), output.Trim());

        var added = Assert.Single(await mark.NewEventsAsync(), e => e.Type == SingleSignOnEvents.SsoConnectionAdded);
        Assert.Equal("saml", Detail(added, "protocol"));
        Assert.Equal(org.Owner.Id.ToString(), added.ActorId);
        Assert.DoesNotContain(pinned.Split(' ')[0][..40], added.Details!, StringComparison.Ordinal); // fingerprints, not the certificate
    }

    [Fact]
    public async Task TheCommandLine_AddsASamlConnectionFromAFile_AndRefusesBrokenMetadata()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var file = Path.Combine(Path.GetTempPath(), $"idp-{Guid.NewGuid():N}.xml");
        try
        {
            await File.WriteAllTextAsync(file, "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>", Ct);
            Assert.Equal(1, (await CliAsync("sso", "add-saml", "--organization", org.Slug, "--metadata", file)).Code);
            Assert.Equal(0, await CountAsync(org.Id));

            await File.WriteAllTextAsync(file, await SamlTestProvider.MetadataAsync(), Ct);
            var (code, output) = await CliAsync("sso", "add-saml", "--organization", org.Slug, "--metadata", file, "--name", "From the CLI", "--default-role", "Admin");
            Assert.True(code == 0, output);
            Assert.Contains($"/sso/saml/{org.Id:N}/", output, StringComparison.Ordinal);
            var (listed, list) = await CliAsync("sso", "list", "--organization", org.Slug);
            Assert.Equal(0, listed);
            Assert.Contains("saml\tFrom the CLI\t" + SamlTestProvider.EntityId + "\tAdmin", list, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task FirstSignIn_ByHomeRealm_CreatesTheAccountJustInTime_MappedMfaCounts_AndTheReturningPersonIsFoundByNameId()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var connection = await SamlFlows.ConnectAsync(host, org, role: "Auditor", contexts: MfaContext);
        var email = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org), "saml");
        var nameId = "saml-" + Guid.NewGuid().ToString("N");
        var mark = await AuditWatermark.TakeAsync(host);

        using var browser = host.CreateBrowser();
        // E-mail first: the verified domain leads to the organization's SAML connection.
        var (done, _) = await SamlFlows.SignInAsync(browser, email, new SamlTestLogin(nameId, email, "Sam Example", MfaContext));
        Assert.Equal("/", TestBrowser.LocationOf(done));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{org.Slug}")).StatusCode); // the provider's MFA counts

        var userId = await Tenants.UserIdAsync(host, email);
        Assert.Contains($"organization:{org.Id:D}#auditor@user:{userId:D}", await org.TuplesAsync());
        var written = await mark.NewEventsAsync();
        Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoAccountProvisioned && e.TargetId == userId.ToString());
        var signedIn = Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoSignInSucceeded);
        Assert.Equal("provisioned", Detail(signedIn, "account"));
        Assert.Equal("provider", Detail(signedIn, "mfa"));
        Assert.Equal(MfaContext, Detail(signedIn, "acr"));
        Assert.Equal(connection.Id.ToString(), Detail(signedIn, "connection"));

        // Returning, by NameID at this connection (the e-mail attribute may change); an unmapped context: Kastell's own factor.
        var again = await AuditWatermark.TakeAsync(host);
        using var second = host.CreateBrowser();
        var (returned, _) = await SamlFlows.SignInAsync(second, org.Slug, new SamlTestLogin(nameId, email.Replace("saml-", "renamed-", StringComparison.Ordinal)));
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(returned));
        var back = Assert.Single(await again.NewEventsAsync(), e => e.Type == SingleSignOnEvents.SsoSignInSucceeded);
        Assert.Equal("returning", Detail(back, "account"));
        Assert.Equal(userId.ToString(), back.ActorId);
    }

    [Fact]
    public async Task AnUnverifiedDomain_AndAnExistingAccount_AreRefused_AuditedAndNothingIsCreated()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var connection = await SamlFlows.ConnectAsync(host, org, contexts: MfaContext);
        var domain = await SsoFlows.VerifyDomainAsync(host, org);
        using var existing = await SsoFlows.SignedUpAsync(host, SsoFlows.EmailIn(domain, "existing"));
        var outside = Journeys.UniqueEmail("saml-nobody");
        var mark = await AuditWatermark.TakeAsync(host);

        using (var browser = host.CreateBrowser())
        {
            var (refused, _) = await SamlFlows.SignInAsync(browser, org.Slug, new SamlTestLogin("u-" + Guid.NewGuid().ToString("N"), outside, AuthnContext: MfaContext));
            Assert.Equal("/account/sign-in/sso?refused=domain-not-verified", TestBrowser.LocationOf(refused));
            Assert.False(await SsoFlows.HasSessionAsync(browser));
        }

        using (var browser = host.CreateBrowser())
        {
            // The identity provider asserts the address of someone who signed up with a password: never linked.
            var (refused, _) = await SamlFlows.SignInAsync(browser, org.Slug, new SamlTestLogin("e-" + Guid.NewGuid().ToString("N"), existing.User.Email, AuthnContext: MfaContext));
            Assert.Equal("/account/sign-in/sso?refused=account-exists", TestBrowser.LocationOf(refused));
            Assert.False(await SsoFlows.HasSessionAsync(browser));
            await browser.GetAsync(TestBrowser.LocationOf(refused)!);
            Assert.Contains("A Kastell account with your e-mail address exists already.", browser.LastPage, StringComparison.Ordinal);
        }

        Assert.False(await UserExistsAsync(outside));
        Assert.Equal(0, await LoginsAsync(connection.Id));
        var written = await mark.NewEventsAsync();
        var reasons = written.Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused).Select(e => Detail(e, "reason")).ToList();
        Assert.Equal(new string?[] { "domain-not-verified", "account-exists" }, reasons);
        Assert.DoesNotContain(written, e => e.Type == SingleSignOnEvents.SsoSignInSucceeded || e.Type == SingleSignOnEvents.SsoAccountProvisioned || e.Type == AccountEvents.AccountCreated);
    }

    [Fact]
    public async Task ForgedMisdirectedLateOrUnsolicitedResponses_AreRefused_WithTheirReason_AndCreateNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var connection = await SamlFlows.ConnectAsync(host, org, contexts: MfaContext);
        var domain = await SsoFlows.VerifyDomainAsync(host, org);
        var cases = new (string Attack, string Reason, string Page)[]
        {
            ("foreign-key", "saml-unpinned-signing-certificate", "?failed=1"),
            ("audience", "saml-audience-mismatch", "?failed=1"),
            ("expired", "saml-assertion-expired", "?failed=1"),
            ("tamper", "saml-digest-mismatch", "?failed=1"),
            ("unsolicited", "saml-unsolicited-response", "?refused=unsolicited"),
            ("unknown-request", "saml-unknown-in-response-to", "?refused=unsolicited"),
        };
        var emails = new List<string>();
        foreach (var (attack, reason, page) in cases)
        {
            var email = SsoFlows.EmailIn(domain, attack);
            emails.Add(email);
            var mark = await AuditWatermark.TakeAsync(host);
            using var browser = host.CreateBrowser();
            var (refused, _) = await SamlFlows.SignInAsync(browser, org.Slug, new SamlTestLogin("a-" + Guid.NewGuid().ToString("N"), email, AuthnContext: MfaContext, Attack: attack, TamperedEmail: SsoFlows.EmailIn(domain, "tampered")));
            Assert.True("/account/sign-in/sso" + page == TestBrowser.LocationOf(refused), $"{attack}: {TestBrowser.LocationOf(refused)}");
            Assert.False(await SsoFlows.HasSessionAsync(browser), attack);
            var written = await mark.NewEventsAsync();
            var refusal = Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoSignInRefused);
            Assert.True(reason == Detail(refusal, "reason"), $"{attack}: {refusal.Details}");
            Assert.Equal(connection.Id.ToString(), Detail(refusal, "connection"));
            Assert.Equal(AuditOutcome.Failed, refusal.Outcome);
            Assert.Equal(org.Id, refusal.OrganizationId);
            Assert.DoesNotContain(written, e => e.Type == SingleSignOnEvents.SsoSignInSucceeded || e.Type == AccountEvents.AccountCreated);
        }

        foreach (var email in emails)
        {
            Assert.False(await UserExistsAsync(email), email);
        }

        Assert.Equal(0, await LoginsAsync(connection.Id));

        // The pages say what happened without telling why, in both languages.
        using var reader = host.CreateBrowser();
        await reader.GetAsync("/account/sign-in/sso?refused=unsolicited");
        Assert.Contains("This sign-in was not started at Kastell, or it was answered already.", reader.LastPage, StringComparison.Ordinal);
        await SsoFlows.SwitchToGermanAsync(reader, "/account/sign-in/sso");
        await reader.GetAsync("/account/sign-in/sso?refused=unsolicited");
        Assert.Contains("Diese Anmeldung wurde nicht bei Kastell begonnen", reader.LastPage, StringComparison.Ordinal);
        await reader.GetAsync("/account/sign-in/sso?failed=1");
        Assert.Contains("Das Single Sign-on ist nicht gelungen.", reader.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResponse_SignsInOnce_ItsReplayIsRefused_InThisBrowserAndInAnother()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await SamlFlows.ConnectAsync(host, org, contexts: MfaContext);
        var email = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org), "replay");
        var mark = await AuditWatermark.TakeAsync(host);

        using var browser = host.CreateBrowser();
        var (done, captured) = await SamlFlows.SignInAsync(browser, org.Slug, new SamlTestLogin("r-" + Guid.NewGuid().ToString("N"), email, AuthnContext: MfaContext));
        Assert.Equal("/", TestBrowser.LocationOf(done));

        // The same browser posts the response again; another browser, which started a sign-in of its own, posts it too.
        Assert.Equal("/account/sign-in/sso?refused=unsolicited", TestBrowser.LocationOf(await SamlFlows.PostAsync(browser, captured)));
        using var other = host.CreateBrowser();
        var started = await SsoFlows.StartAsync(other, org.Slug);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.Equal("/account/sign-in/sso?refused=unsolicited", TestBrowser.LocationOf(await SamlFlows.PostAsync(other, captured)));
        Assert.False(await SsoFlows.HasSessionAsync(other));

        var written = await mark.NewEventsAsync();
        Assert.Single(written, e => e.Type == SingleSignOnEvents.SsoSignInSucceeded);
        Assert.Equal(2, written.Count(e => e.Type == SingleSignOnEvents.SsoSignInRefused && Detail(e, "reason") == "saml-unknown-in-response-to"));
    }

    [Fact]
    public async Task TheAssertionConsumer_TakesNothingUnasked_AndAMadeUpConnectionIsNotFound()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var connection = await SamlFlows.ConnectAsync(host, org);
        var mark = await AuditWatermark.TakeAsync(host);
        using var browser = host.CreateBrowser();
        var acs = $"/sso/saml/{org.Id:N}/{connection.Id:N}/acs";
        Assert.Equal("/account/sign-in/sso?failed=1", TestBrowser.LocationOf(await browser.PostAsync(acs, new Dictionary<string, string>())));
        Assert.Equal("/account/sign-in/sso?failed=1", TestBrowser.LocationOf(await browser.PostAsync(acs, new Dictionary<string, string> { ["SAMLResponse"] = "not base64!" })));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync($"/sso/saml/{org.Id:N}/{Guid.NewGuid():N}/acs", new Dictionary<string, string> { ["SAMLResponse"] = "eA==" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync($"/sso/saml/{Guid.NewGuid():N}/{connection.Id:N}/acs", new Dictionary<string, string> { ["SAMLResponse"] = "eA==" })).StatusCode);
        var reasons = (await mark.NewEventsAsync()).Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused).Select(e => Detail(e, "reason")).ToList();
        Assert.Equal(new string?[] { "saml-response-missing", "saml-invalid-encoding" }, reasons);
    }

    [Fact]
    public async Task ManagingSamlConnections_IsRefused_ToAnonymous_OtherOrganizations_Members_AndBadMetadata()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        var connection = await SamlFlows.ConnectAsync(host, org);
        var member = await org.JoinAsync(OrganizationRole.Member);
        var download = $"/o/{org.Slug}/sso/{connection.Id}/saml-metadata";
        var metadata = await SamlTestProvider.MetadataAsync();

        using var anonymous = host.CreateBrowser();
        Assert.Contains("/account/sign-in", TestBrowser.LocationOf(await anonymous.GetAsync(download)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.Browser.GetAsync(download)).StatusCode);
        Assert.DoesNotContain(connection.SamlSpEntityId!, member.Browser.LastPage, StringComparison.Ordinal);
        // The member cannot see the page, so has no form to post: a post with a token from elsewhere is refused as well.
        await member.Browser.GetAsync($"/o/{org.Slug}");
        using (var form = new MultipartFormDataContent { { new StringContent(member.Browser.AnyAntiforgeryToken()), "__RequestVerificationToken" }, { new StringContent("add-saml"), "_handler" }, { new StringContent("Mine"), "SamlName" }, { new StringContent(metadata), "SamlMetadata", "m.xml" } })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await member.Browser.Client.PostAsync(SsoFlows.Page(org), form, Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.GetAsync(download)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.GetAsync($"/o/{other.Slug}/sso/{connection.Id}/saml-metadata")).StatusCode);

        var broken = new (string Name, string? Metadata)[]
        {
            ("no file", null),
            ("not xml", "this is not XML"),
            ("xxe", "<!DOCTYPE md [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"&x;\"/>"),
            ("no signing certificate", System.Text.RegularExpressions.Regex.Replace(metadata, "<KeyDescriptor.*?</KeyDescriptor>", "", System.Text.RegularExpressions.RegexOptions.Singleline)),
            ("wants signed requests", metadata.Replace("WantAuthnRequestsSigned=\"false\"", "WantAuthnRequestsSigned=\"true\"", StringComparison.Ordinal)),
            ("expired", metadata.Replace("entityID=", "validUntil=\"2001-01-01T00:00:00Z\" entityID=", StringComparison.Ordinal)),
        };
        foreach (var (name, content) in broken)
        {
            Assert.NotEqual(metadata, content);
            var response = await SamlFlows.UploadAsync(org.Owner.Browser, SsoFlows.Page(org), "Broken " + name, content);
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{name}: {(int)response.StatusCode}");
            Assert.Contains("is not usable SAML 2.0 metadata", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        await SsoFlows.SwitchToGermanAsync(org.Owner.Browser, SsoFlows.Page(org));
        var german = await SamlFlows.UploadAsync(org.Owner.Browser, SsoFlows.Page(org), "Kaputt", "kein XML");
        Assert.Contains("enthält keine verwendbaren SAML-2.0-Metadaten", await german.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(org.Id));
        Assert.Equal(0, await CountAsync(other.Id));
    }

    private static string? Detail(AuditEvent e, string name) =>
        System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;

    private async Task<(int Code, string Output)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await KastellCli.RunAsync(host.Services, args, output, Ct);
        return (code, output.ToString());
    }

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

    private async Task<int> LoginsAsync(Guid connectionId)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var provider = $"sso:{connectionId:N}";
            return await db.Set<Microsoft.AspNetCore.Identity.IdentityUserLogin<Guid>>().CountAsync(l => l.LoginProvider == provider, Ct);
        }
    }
}

public sealed class SamlSignInTestsOnSqlite(SsoSqliteHost host) : SamlSignInTests(host), IClassFixture<SsoSqliteHost>;

public sealed class SamlSignInTestsOnPostgres(SsoPostgresHost host) : SamlSignInTests(host), IClassFixture<SsoPostgresHost>;
