using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// The OpenID RP conformance cases that apply to the code flow (named by their ids in the OpenID Foundation's RP test
/// plan; the plan itself is not copied into the repository, it comes without a licence), played by making
/// the local provider misbehave: its token endpoint returns a forged ID token. Each is refused by the framework's
/// handler with the options Kastell gives it, recorded with its reason on the organization's chain, and leaves no
/// session and no account. Then the one positive case of the plan that concerns key selection: a token without
/// <c>kid</c> while the provider publishes a single key is accepted.
/// </summary>
public abstract class OidcAttackTests(KastellHost host)
{
    /// <summary>Forgery mode of provider.mjs → the reason Kastell records (observed, and pinned here).</summary>
    public static readonly (string Mode, string PlanCase, string Reason)[] Cases =
    [
        ("wrong-iss", "oidcc-client-test-invalid-iss", "issuer-invalid"),
        ("wrong-aud", "oidcc-client-test-invalid-aud", "audience-invalid"),
        ("missing-aud", "oidcc-client-test-missing-aud", "audience-invalid"),
        ("wrong-nonce", "oidcc-client-test-nonce-invalid", "nonce-invalid"),
        ("missing-nonce", "oidcc-client-test-nonce-invalid", "nonce-invalid"),
        ("missing-sub", "oidcc-client-test-missing-sub", "required-claim-missing"),
        ("missing-iat", "oidcc-client-test-missing-iat", "required-claim-missing"),
        ("expired", "(expiry, core 3.1.3.7 step 9)", "token-expired"),
        ("alg-none", "oidcc-client-test-idtoken-sig-none", "algorithm-refused"),
        ("hs256-public-key", "oidcc-client-test-invalid-sig-hs256", "signature-invalid"),
        ("hs256-public-jwk", "oidcc-client-test-invalid-sig-hs256", "signing-key-unknown"),
        ("bad-signature-rs256", "oidcc-client-test-invalid-sig-rs256", "signature-invalid"),
        ("foreign-key-same-kid", "oidcc-client-test-invalid-sig-rs256", "signature-invalid"),
        ("foreign-key-unknown-kid", "(key rotation: unknown kid after a refetch)", "signing-key-unknown"),
        ("claims-swapped-payload", "(claims altered under a valid signature)", "signature-invalid"),
    ];

    [Fact]
    public async Task EveryForgedIdToken_IsRefused_Audited_WithoutSessionOrAccount()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var (connection, client) = await SsoFlows.ConnectAsync(host, org, amr: "pwd mfa");
        var domain = await SsoFlows.VerifyDomainAsync(host, org);
        var observed = new List<string>();
        foreach (var (mode, _, reason) in Cases)
        {
            await OidcTestProvider.SetAttackAsync(client, mode);
            var mark = await AuditWatermark.TakeAsync(host);
            var email = SsoFlows.EmailIn(domain, "attack"); // a verified domain: a token let through would create the account
            using var browser = host.CreateBrowser();
            var answer = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("victim-" + Guid.NewGuid().ToString("N"), email, Amr: "pwd mfa"));
            var refused = (await mark.NewEventsAsync()).Where(e => e.Type == SingleSignOnEvents.SsoSignInRefused).ToList();
            var recorded = refused.Select(e => Reason(e)).SingleOrDefault();
            observed.Add($"{mode}: {TestBrowser.LocationOf(answer)} {recorded}");
            Assert.True("/account/sign-in/sso?failed=1" == TestBrowser.LocationOf(answer), string.Join("\n", observed));
            Assert.True(reason == recorded, string.Join("\n", observed));
            Assert.Equal(connection.Id.ToString(), SingleSignOnTests.ConnectionOf(refused.Single()));
            Assert.Equal(AuditOutcome.Failed, refused.Single().Outcome);
            Assert.False(await SsoFlows.HasSessionAsync(browser), mode);
            Assert.False(await UserExistsAsync(email), mode);
        }
    }

    [Fact]
    public async Task ATokenWithoutKid_IsAccepted_WhenTheProviderPublishesOneKey()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var (_, client) = await SsoFlows.ConnectAsync(host, org, amr: "mfa");
        var email = SsoFlows.EmailIn(await SsoFlows.VerifyDomainAsync(host, org), "nokid");
        await OidcTestProvider.SetAttackAsync(client, "kid-absent-single-key");
        using var browser = host.CreateBrowser();
        var answer = await SsoFlows.SignInAsync(browser, org.Slug, new OidcTestLogin("nokid-" + Guid.NewGuid().ToString("N"), email, Amr: "pwd mfa"));
        Assert.Equal("/", TestBrowser.LocationOf(answer));
        Assert.True(await UserExistsAsync(email));
    }

    private static string? Reason(AuditEvent e) =>
        System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.GetProperty("reason").GetString();

    private async Task<bool> UserExistsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<KastellUser>().AnyAsync(u => u.NormalizedEmail == email.ToUpperInvariant(), TestContext.Current.CancellationToken);
        }
    }
}

public sealed class OidcAttackTestsOnSqlite(SsoSqliteHost host) : OidcAttackTests(host), IClassFixture<SsoSqliteHost>;

public sealed class OidcAttackTestsOnPostgres(SsoPostgresHost host) : OidcAttackTests(host), IClassFixture<SsoPostgresHost>;
